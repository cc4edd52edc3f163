"""Argument types and errors every command shares (the CLI's own module imports these too)."""

from __future__ import annotations

import argparse


class UsageError(Exception):
    """A bad combination of arguments; ``str()`` is the one-line reason (exit 2)."""


def parse_feed(text: str) -> str:
    """``direct``, ``store`` or a redis URL (argparse type)."""
    from urllib.parse import urlsplit

    value = text.strip()
    if value in ("direct", "store"):
        return value
    parts = urlsplit(value)
    if (parts.scheme in ("redis", "rediss") and parts.netloc) or (parts.scheme == "unix" and parts.path):
        return value
    raise argparse.ArgumentTypeError(f"expected direct, store or a redis://host:port/db URL, got {text!r}")
