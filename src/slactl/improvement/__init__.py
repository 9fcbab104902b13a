"""Continual service improvement: the CSI register, risk-based priority, baselines, effect and the analyses around them."""
