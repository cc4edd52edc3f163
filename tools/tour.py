"""Write ``docs/tour.md``: the feb-2026 scenario at its key moments, as the dashboard draws them.

Each moment replays the bundled recording up to its time (the alert rules armed three hours
earlier and checked every replay minute, as the dashboard's tick would), opens the dashboard at
120x40 on that still engine, puts the alerts of the last quarter hour on its alert line and
copies the screen cell by cell (:func:`crashtui.ui.capture.screen_text`). The tour is the app's
own output, so it stays true: ``tests/ui/test_ui_tour.py`` fails when it is out of date.

    python tools/tour.py           # rewrite docs/tour.md
    python tools/tour.py --check   # exit 1 if docs/tour.md is not what the code draws now
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from crashtui.alerts import Alert
from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.alerts_schema import DEFAULT_RULES, AlertsConfig, ZoneRule
from crashtui.config.schema import Config
from crashtui.replay.locate import locate_recording
from crashtui.timeparse import iso_utc, parse_instant
from crashtui.ui.alerting import DashboardAlerts
from crashtui.ui.app import CrashApp
from crashtui.ui.capture import screen_text
from crashtui.ui.options import UiOptions

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "docs" / "tour.md"
SIZE = (120, 40)
ARM_BEFORE_MS = 3 * 3_600_000
RECENT_MS = 15 * 60_000


@dataclass(frozen=True, slots=True)
class Moment:
    """A time of the scenario, the keys pressed there, and what to look at."""

    at: str
    title: str
    note: str
    keys: tuple[str, ...] = ()


MOMENTS = (
    Moment(
        "2026-01-31T18:20Z",
        "Jan 31, 18:20Z: the first wave",
        "A short squeeze: the 18:12Z cascade ($41M of shorts in 5 minutes) is on the alert line and in "
        "the Liquidations pane. The gauge is already near EXTREME STRESS.",
    ),
    Moment(
        "2026-02-06T01:05Z",
        "Feb 6, 01:05Z: ETH loses its pinned $1,826 level",
        "The 01:00Z hourly candle closed below the pinned zone: the Price table's STATE says BROKE "
        "and the rule pinned on that level raised a WARNING. The alert line leads with the more "
        "severe cascade alert of 00:55Z; the WARNING waits behind it ('+2 more', d dismisses).",
    ),
    Moment(
        "2026-02-06T13:45Z",
        "Feb 6, 13:45Z: the biggest cascade of the day breaks through a cooldown",
        "The 13:14Z cascade started the cascade rule's one-hour cooldown; at 13:41Z a cascade four "
        "times its size began, and once its rate doubled the alert that started the cooldown it was "
        "delivered anyway (CRITICAL, 'grew to').",
    ),
    Moment(
        "2026-02-06T13:45Z",
        "Feb 6, 13:45Z: the liquidations drilldown (l)",
        "The same moment one key away: every venue, both sides, the cascades of the day and the "
        "largest orders.",
        ("l",),
    ),
    Moment(
        "2026-02-06T16:05Z",
        "Feb 6, 16:05Z: ETH back above $1,826",
        "The 16:00Z close reclaimed the pinned zones from below (INFO on the alert line); ETF "
        "outflows, shown below the zero line, are still the story of the week.",
    ),
)


def alerts_config() -> Config:
    """The default rules plus one pinned on ETH's $1,826, no log, bell or notification."""
    eth = ZoneRule(
        kind="zone_break",
        name="ETH 1826 break",
        severity="warning",
        cooldown_s=1800.0,
        symbol="ETH",
        level=1826.0,
    )
    alerts = AlertsConfig(rules=(*DEFAULT_RULES, eth), log=False, bell=False, desktop="off")
    return replace(Config(), alerts=alerts)


async def capture(moment: Moment) -> str:
    """The screen at ``moment``, as text."""
    at_ms = parse_instant(moment.at)
    config = alerts_config()
    window = ReplayOptions(locate_recording("feb-2026"), None, at_ms - ARM_BEFORE_MS, at_ms)
    engine = build_engine(config, (), EngineOptions(replay=window))
    fired: list[Alert] = []
    alerts = DashboardAlerts(config.alerts, toast=fired.append, error=lambda text: None)
    alerts.attach(engine)
    for _ in engine.replay_steps():
        alerts.check()
    app = CrashApp(config, engine=engine, options=UiOptions(start_engine=False, show_timings=False))
    async with app.run_test(size=SIZE) as pilot:
        app.alerts = alerts
        await pilot.pause()
        for alert in fired:
            if alert.at_ms > at_ms - RECENT_MS:
                app.alert_line.push(alert)
        for key in moment.keys:
            await pilot.press(key)
            await pilot.pause()
        app.refresh_now(force=True)
        await pilot.pause()
        app.paint_alert_line(force=True)
        await pilot.pause()
        text = screen_text(app)
    await alerts.aclose()
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


def section(text: str, title: str) -> str:
    """The screen of the moment titled ``title`` in a rendered tour (for the test)."""
    after = text.split(f"## {title}\n", 1)[1]
    return after.split("```text\n", 1)[1].split("\n```", 1)[0]


async def render_async() -> str:
    parts = [
        "# A tour of the Feb-2026 scenario",
        "",
        "<!-- Generated by tools/tour.py from the app itself; do not edit. Regenerate with",
        "     `python tools/tour.py` (tests/ui/test_ui_tour.py fails when it is out of date). -->",
        "",
        "`crashtui --replay feb-2026` replays a reconstructed sell-off (real daily prices and indexes,",
        "reconstructed intraday paths; the status bar says so). These are its key moments as the",
        f"dashboard draws them in a {SIZE[0]}x{SIZE[1]} terminal. Seek with the arrow keys",
        "(an hour; with shift a day), `?` lists every key.",
    ]
    for moment in MOMENTS:
        keys = f" (keys: {' '.join(moment.keys)})" if moment.keys else ""
        parts += [
            "",
            f"## {moment.title}",
            "",
            f"{moment.note}{keys} Replay clock {iso_utc(parse_instant(moment.at))}.",
            "",
            "```text",
            await capture(moment),
            "```",
        ]
    return "\n".join(parts) + "\n"


def render() -> str:
    """The whole of docs/tour.md."""
    return asyncio.run(render_async())


def main(argv: list[str]) -> int:
    """Write the tour, or with ``--check`` say whether it is up to date."""
    text = render()
    if "--check" in argv:
        current = TOUR.read_text(encoding="utf-8") if TOUR.exists() else ""
        if current != text:
            print("docs/tour.md is out of date: run python tools/tour.py", file=sys.stderr)
            return 1
        return 0
    TOUR.write_text(text, encoding="utf-8")
    print(f"wrote {TOUR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
