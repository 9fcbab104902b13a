"""Validation and audit rules, registered by id; one module per rule family."""

from slactl.rules.registry import RULES, Context, Rule, rule, run_rules

__all__ = ["RULES", "Context", "Rule", "rule", "run_rules"]
