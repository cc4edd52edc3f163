"""The macro series crashtui knows: id, label, unit, how a day change reads, and a plausible range.

Series ids are what :class:`~crashtui.model.MacroObservation` carries in ``series``:

* FRED (``fred``): ``ICSA`` and ``IC4WSA`` (weekly initial jobless claims and their 4-week
  average, persons), ``NASDAQCOM``, ``SP500`` (index levels), ``VIXCLS`` (index points),
  ``DGS10``, ``DTB3`` (percent; DTB3 is a discount-basis rate), ``DTWEXBGS`` (broad dollar
  index, Jan 2006 = 100).
* Yahoo chart (``yahoo``): each AI-basket stock under its own ticker (``NVDA``, ``MSFT``,
  ``GOOGL`` by default) and ``GOLD`` (COMEX front-month gold future ``GC=F``, USD/oz).
* DefiLlama (``defillama_macro``): ``STABLECOINS_USD`` (total USD-pegged stablecoin supply)
  and ``DEFI_TVL_USD`` (DeFi TVL across all chains), USD.

The ranges are sanity bounds no real reading has come near (a negative S&P 500, a 10-year
yield of 300 %): a payload holding one is rejected whole with a :class:`ParseError`, the same
rule :mod:`crashtui.sanity` applies to prices. A series id not listed here (another stock in
a configured basket, a FRED id added later) gets the generic bounds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from crashtui.errors import ParseError
from crashtui.model import MacroObservation
from crashtui.sources.rows import each_row


@dataclass(frozen=True, slots=True)
class MacroSeries:
    """Static facts about one series.

    ``change`` says how a day change reads: ``pct`` (percent of the previous value, for
    prices and levels) or ``points`` (the difference, for rates in percent, shown in bp).
    """

    id: str
    label: str
    unit: str
    source: str
    change: str
    low: float
    high: float
    frequency: str = "daily"


_PRICE_MAX = 1e8  # the same ceiling crashtui.sanity puts on any price
_PRICE_MIN = 1e-6  # a quote of 0 is a glitch, never a price
_SERIES = (
    MacroSeries("ICSA", "US initial jobless claims", "persons", "fred", "pct", 0.0, 1e8, "weekly"),
    MacroSeries("IC4WSA", "Jobless claims, 4-week average", "persons", "fred", "pct", 0.0, 1e8, "weekly"),
    MacroSeries("NASDAQCOM", "Nasdaq Composite", "index", "fred", "pct", 1.0, 1e7),
    MacroSeries("SP500", "S&P 500", "index", "fred", "pct", 1.0, 1e7),
    MacroSeries("VIXCLS", "VIX", "index points", "fred", "pct", 1.0, 500.0),
    MacroSeries("DGS10", "US 10-year Treasury yield", "%", "fred", "points", -10.0, 50.0),
    MacroSeries("DTB3", "US 3-month T-bill rate", "%", "fred", "points", -10.0, 50.0),
    MacroSeries("DTWEXBGS", "Broad US dollar index", "index", "fred", "pct", 1.0, 10_000.0),
    MacroSeries("GOLD", "Gold (COMEX front month)", "USD/oz", "yahoo", "pct", 1.0, _PRICE_MAX),
    MacroSeries("NVDA", "Nvidia", "USD", "yahoo", "pct", _PRICE_MIN, _PRICE_MAX),
    MacroSeries("MSFT", "Microsoft", "USD", "yahoo", "pct", _PRICE_MIN, _PRICE_MAX),
    MacroSeries("GOOGL", "Alphabet (class A)", "USD", "yahoo", "pct", _PRICE_MIN, _PRICE_MAX),
    MacroSeries(
        "STABLECOINS_USD", "Stablecoin supply (USD-pegged)", "USD", "defillama_macro", "pct", 1.0, 1e14
    ),
    MacroSeries("DEFI_TVL_USD", "DeFi TVL, all chains", "USD", "defillama_macro", "pct", 1.0, 1e14),
)
SERIES: dict[str, MacroSeries] = {s.id: s for s in _SERIES}

GENERIC_LIMIT = 1e15
# An observation dated after the day its payload arrived (plus a day for time zones) is a
# wrong unit or a broken feed, never data.
FUTURE_SLACK_MS = 2 * 86_400_000


def info(series: str) -> MacroSeries | None:
    """What crashtui knows about ``series``, or None for an unlisted id."""
    return SERIES.get(series)


def observation_problem(obs: MacroObservation) -> str | None:
    """Why one observation is implausible, or None when it is fine."""
    value = obs.value
    if not math.isfinite(value):
        return f"{obs.series} {value} is not a number"
    known = SERIES.get(obs.series)
    low, high = (known.low, known.high) if known else (-GENERIC_LIMIT, GENERIC_LIMIT)
    if not low <= value <= high:
        return f"{obs.series} {value:g} is outside the plausible range {low:g}..{high:g}"
    return None


def check_observations(
    observations: Iterable[MacroObservation], what: str, *, received_ms: int | None = None
) -> tuple[MacroObservation, ...]:
    """The plausible ``observations``; each implausible one is left out and reported as an
    unreadable row (:func:`~crashtui.sources.rows.each_row`), and when none is plausible a
    one-line ParseError names the first.

    With ``received_ms``, an observation dated more than a day after the day the payload
    arrived is implausible too.
    """

    def check(obs: MacroObservation) -> MacroObservation:
        problem = observation_problem(obs)
        if problem is None and received_ms is not None and obs.day_ms > received_ms + FUTURE_SLACK_MS:
            problem = f"{obs.series} is dated {_iso(obs.day_ms)}, after the payload arrived"
        if problem is not None:
            raise ParseError(problem)
        return obs

    return tuple(each_row(observations, check, what))


def _iso(day_ms: int) -> str:
    from datetime import datetime, timezone

    try:
        return datetime.fromtimestamp(day_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return f"{day_ms} ms"
