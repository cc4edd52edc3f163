"""REST polling: one loop per data kind with failover, per-source health and rate budgets."""
