"""Governance: agreements in git history, semantic diffs, amendment approval and the audit report."""
