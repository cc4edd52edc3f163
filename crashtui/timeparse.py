"""Parsing of user-given times and speeds (argparse ``type=`` functions)."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone


def parse_instant(text: str) -> int:
    """An ISO-8601 date or date-time → epoch ms. Naive times are UTC; a bare date is 00:00Z."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date or time like 2026-02-06 or 2026-02-06T14:00Z, got {text!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp() * 1000)


def parse_speed(text: str) -> float | None:
    """``max`` → None (as fast as possible), else a positive multiple of real time."""
    value = text.strip().lower()
    if value == "max":
        return None
    value = value.removesuffix("x")  # "60x" means 60
    try:
        speed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number like 60 or 'max', got {text!r}") from None
    if not speed > 0 or speed != speed or speed == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a speed greater than 0, got {text!r}")
    return speed


def iso_utc(ts_ms: int) -> str:
    """Epoch ms → ``2026-02-06T14:00:00Z``."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
