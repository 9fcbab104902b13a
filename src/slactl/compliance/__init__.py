"""From indicators to results: attainment, status, error budgets, burn rates and service credits."""
