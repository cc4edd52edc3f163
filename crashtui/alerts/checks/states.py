"""State rules: Fear & Greed beyond a value, the crash gauge at or above a score, a source failing."""

from __future__ import annotations

from types import MappingProxyType

from crashtui.alerts.checks.base import Firing
from crashtui.alerts.inputs import MarketInputs
from crashtui.alerts.triggers import Latch
from crashtui.config.alerts_schema import FearGreedRule, GaugeRule, SourceFailingRule
from crashtui.model import SourceState
from crashtui.textsafe import plain
from crashtui.timeparse import iso_utc

FAILING_STATES = (SourceState.FAILING, SourceState.BLOCKED)
INDEX_LABELS = {"crypto": "Crypto Fear & Greed", "stocks": "Stocks Fear & Greed"}


class FearGreedChecker:
    """Fires when the index reaches the value; re-arms ``hysteresis_points`` back from it."""

    def __init__(self, rule: FearGreedRule) -> None:
        self.rule = rule
        self._latch = Latch()

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire when the newest reading crosses into the alert band."""
        rule = self.rule
        reading = inputs.fear(rule.index)
        if reading is None:
            return []
        value = reading.value
        if rule.at_or_below is not None:
            threshold, sign = rule.at_or_below, "≤"
            active, clear = value <= threshold, value > threshold + rule.hysteresis_points
        else:
            threshold, sign = rule.at_or_above or 0.0, "≥"
            active, clear = value >= threshold, value < threshold - rule.hysteresis_points
        if not self._latch.update(active=active, clear=clear):
            return []
        label = plain(reading.classification, limit=40)
        return [
            Firing(
                message=(
                    f"{INDEX_LABELS.get(rule.index, rule.index)} {value:.0f}"
                    f"{f' ({label})' if label else ''} {sign} {threshold:g}"
                ),
                value=value,
                threshold=threshold,
                details=MappingProxyType(
                    {"index": rule.index, "classification": label, "reading_at": iso_utc(reading.ts_ms)}
                ),
            )
        ]


class GaugeChecker:
    """Fires when the crash gauge reaches the score; re-arms ``hysteresis_points`` below it."""

    def __init__(self, rule: GaugeRule) -> None:
        self.rule = rule
        self._latch = Latch()

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire when the gauge crosses into the alert band."""
        rule = self.rule
        gauge = inputs.gauge()
        if gauge.score is None or not gauge.sufficient:
            return []  # a partial score on insufficient data is no reading: neither alarm nor calm
        score = gauge.score
        if not self._latch.update(
            active=score >= rule.at_or_above, clear=score < rule.at_or_above - rule.hysteresis_points
        ):
            return []
        top = sorted(gauge.components, key=lambda c: c.contribution, reverse=True)[:3]
        drivers = " · ".join(f"{c.name} {c.normalised:.0f}" for c in top)
        return [
            Firing(
                message=(
                    f"Crash gauge {score:.0f}/100 {gauge.label} ≥ {rule.at_or_above:g}"
                    f"{f' (top: {drivers})' if drivers else ''}"
                ),
                value=round(score, 2),
                threshold=rule.at_or_above,
                details=MappingProxyType({"label": gauge.label, "coverage": round(gauge.coverage, 3)}),
            )
        ]


class SourceFailingChecker:
    """Fires when a source has been failing or blocked for longer than ``minutes``; re-arms once it is ok.

    The failure counts from the time of the first failing status seen (its ``updated_ms``).
    """

    def __init__(self, rule: SourceFailingRule) -> None:
        self.rule = rule
        self._since: dict[str, int] = {}
        self._latches: dict[str, Latch] = {}

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire for each source past the limit."""
        rule = self.rule
        limit_ms = round(rule.minutes * 60_000)
        out = []
        for name, status in inputs.statuses().items():
            if rule.source not in (None, name):
                continue
            failing = status.state in FAILING_STATES
            if failing:
                # First seen failing: the failure began when that status was issued.
                self._since.setdefault(name, min(now_ms, status.updated_ms))
            else:
                self._since.pop(name, None)
            since = self._since.get(name)
            latch = self._latches.setdefault(name, Latch())
            active = since is not None and now_ms - since >= limit_ms
            if not latch.update(active=active, clear=status.state is SourceState.OK):
                continue
            assert since is not None
            minutes = (now_ms - since) / 60_000
            error = plain(status.last_error or "", limit=200)
            hint = plain(status.hint or "", limit=120)
            out.append(
                Firing(
                    message=(
                        f"{name} {status.state} for {minutes:.0f} min"
                        f"{f': {error}' if error else ''}{f' (hint: {hint})' if hint else ''}"
                    ),
                    target=name,
                    value=round(minutes, 2),
                    threshold=rule.minutes,
                    details=MappingProxyType(
                        {
                            "source": name,
                            "state": str(status.state),
                            "last_ok_at": iso_utc(status.last_ok_ms) if status.last_ok_ms else None,
                        }
                    ),
                )
            )
        return out
