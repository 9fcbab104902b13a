"""Breach and burn-rate notifications along each agreement's EscalationPolicy (`slactl alert`)."""
