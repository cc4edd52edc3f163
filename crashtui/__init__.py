"""crashtui: a terminal monitor for crypto sell-offs."""

__version__ = "0.1.0"
