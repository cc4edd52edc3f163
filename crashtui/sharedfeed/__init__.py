"""One collector, many panes: share one feed through SQLite (one machine) or Redis (a desk)."""
