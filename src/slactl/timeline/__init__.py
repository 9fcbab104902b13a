"""Time as sets of intervals: interval arithmetic, calendars, maintenance windows (pure, vectorised)."""
