"""Change enablement against service levels: change records checked against agreements, freezes and stats."""
