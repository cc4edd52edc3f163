"""The str-valued enum every crashtui enum derives from.

Its own module, apart from :mod:`crashtui.model`, so that the config (whose positions use it)
loads without the model's dataclasses: the dashboard's first paint waits for the config.
"""

from __future__ import annotations

import enum


class StrEnum(str, enum.Enum):
    """A str-valued enum whose ``str()`` is its value (``enum.StrEnum`` is 3.11+)."""

    def __str__(self) -> str:
        return str(self.value)
