"""The trader's own positions: liquidation prices from venue margin tiers, PnL, shocks.

Everything here is pure. ``position`` holds the input model (light: the config layer imports
it at start-up); ``tiers`` the bundled maintenance-margin tables; ``liquidation`` the venue
formulas; ``evaluate`` the per-position and portfolio view; ``predicates`` the alert tests.
"""
