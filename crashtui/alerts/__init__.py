"""Alerts: rules evaluated on the headless engine state, delivered to log, terminal, command and UI."""
