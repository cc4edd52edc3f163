"""The trader's own positions: liquidation prices from venue margin tiers, PnL, shocks.

Everything here is pure and sits below the config layer (which builds
:class:`~crashtui.risk.position.Position` objects from ``[[positions]]``):

* ``position`` — the input model (light: imported at start-up);
* ``tiers`` — the bundled maintenance-margin tables (``tiers.json``) and the fallback rule;
* ``liquidation`` — the venue formulas and the tier rule;
* ``evaluate`` — per-position risk and the portfolio summary;
* ``report`` — their JSON shape; ``predicates`` — the tests behind the position alerts.

Parsers of the venues' own tier payloads live in :mod:`crashtui.sources.margin_tiers`.
"""
