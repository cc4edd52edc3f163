"""Pure, headless analysis over snapshot data: zones, liquidation tallies, ETF flows, crash gauge.

Nothing here does IO or imports textual, numpy or pandas (only ``backtest``, its own command, uses pandas).
Every result is a frozen dataclass that ``dataclasses.asdict`` turns into JSON-ready data.

Entry points:

* :func:`crashtui.analysis.market.analyse_snapshot` — everything for one snapshot, in one call;
* :func:`crashtui.analysis.zones.find_zones` / :func:`~crashtui.analysis.zones.summarise` — zones
  and the watchlist row for one symbol;
* :class:`crashtui.analysis.liquidations.LiquidationTally` — incremental rolling tallies and cascades;
* :func:`crashtui.analysis.etf.summarise_etf` — ETF flow aggregates for one asset;
* :func:`crashtui.analysis.gauge.crash_gauge` with inputs from :mod:`crashtui.analysis.stress`.
"""
