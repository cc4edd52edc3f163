"""Headless modes: ``--once`` (JSON or text) for scripts, cron and login banners."""
