"""Networking: the shared HTTP client, rate budgets, backoff and the websocket runner."""
