"""Screens: the dashboard and its drilldowns."""
