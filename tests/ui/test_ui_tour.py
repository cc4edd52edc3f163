"""docs/tour.md is the app's own output (issue 20): a moment rendered now equals the file's.

One moment is rendered here (the whole tour takes tens of seconds); ``python tools/tour.py
--check`` compares all of them.
"""

from __future__ import annotations

import asyncio

from tools.tour import MOMENTS, TOUR, capture, section


def test_the_tour_is_what_the_dashboard_draws_now() -> None:
    moment = next(m for m in MOMENTS if "breaks through a cooldown" in m.title)
    drawn = asyncio.run(capture(moment))
    assert "CRITICAL" in drawn
    assert "Liquidation cascade since 13:41Z: grew to" in drawn
    assert section(TOUR.read_text(encoding="utf-8"), moment.title) == drawn, (
        "docs/tour.md is out of date: run python tools/tour.py"
    )


def test_every_moment_is_in_the_tour() -> None:
    text = TOUR.read_text(encoding="utf-8")
    for moment in MOMENTS:
        assert f"## {moment.title}" in text
        assert len(section(text, moment.title).splitlines()) == 40  # a 120x40 screen
