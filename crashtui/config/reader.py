"""Typed reading of one TOML table with precise, one-line error messages.

Each accessor removes the key it reads; :meth:`Table.finish` then reports any key
left over as unknown, with a did-you-mean suggestion.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import NoReturn
from urllib.parse import urlsplit

# Left as written: keys without spaces, quotes or backslashes (callers also pass sub-paths
# like ``rules[1].name``); anything else is quoted.
_BARE_KEY = re.compile(r'[^\s"\\]+')


def key_text(key: str) -> str:
    """``key`` as it is shown in a dotted path: as written when it can be, else quoted with
    escapes, so a control character in a table name is shown as ``\\u001b``, never sent to the
    terminal."""
    if _BARE_KEY.fullmatch(key) and key.isprintable():
        return key
    quoted = json.dumps(key, ensure_ascii=False)
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in quoted)


class ConfigError(Exception):
    """A config problem; ``str()`` is the complete one-line message for the user."""


def _describe(value: object) -> str:
    """Short description of a TOML value for an error message."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def suggest(word: str, choices: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` suffix, or empty when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Table:
    """A view of one config table at a dotted key path, read key by key."""

    def __init__(self, data: Mapping[str, object], path: str, file: str) -> None:
        self._data = dict(data)
        self.path = path
        self.file = file
        self._known: list[str] = []

    def key_path(self, key: str) -> str:
        """Dotted path of ``key`` inside this table."""
        shown = key_text(key)
        return f"{self.path}.{shown}" if self.path else shown

    def fail(self, key: str, message: str) -> NoReturn:
        """Raise a ConfigError for ``key`` with ``message``."""
        raise ConfigError(f"{self.file}: {self.key_path(key)}: {message}")

    def keys(self) -> list[str]:
        """Keys not read yet."""
        return list(self._data)

    def has(self, key: str) -> bool:
        """Whether ``key`` is present (and not read yet)."""
        return key in self._data

    def _take(self, key: str) -> object:
        self._known.append(key)
        return self._data.pop(key, None)

    def table(self, key: str) -> Table:
        """Sub-table at ``key`` (empty when absent)."""
        raw = self._take(key)
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            self.fail(key, f"expected a table, got {_describe(raw)}")
        return Table(raw, self.key_path(key), self.file)

    def table_array(self, key: str) -> list[Table] | None:
        """An array of tables (``[[key]]``), each at ``key[0]``, ``key[1]``…; None when absent."""
        raw = self._take(key)
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.fail(key, f"expected an array of tables ([[{self.key_path(key)}]]), got {_describe(raw)}")
        return [Table(item, f"{self.key_path(key)}[{i}]", self.file) for i, item in enumerate(raw)]

    def sub_tables(self) -> list[tuple[str, Table]]:
        """Every remaining key as a sub-table (for ``[watchlists.NAME]`` style sections)."""
        out = []
        for key in list(self._data):
            out.append((key, self.table(key)))
        return out

    def boolean(self, key: str, default: bool) -> bool:
        """A boolean."""
        raw = self._take(key)
        if raw is None:
            return default
        if not isinstance(raw, bool):
            self.fail(key, f"expected true or false, got {_describe(raw)}")
        return raw

    def number(
        self,
        key: str,
        default: float,
        *,
        positive: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
        what: str = "a number",
    ) -> float:
        """A finite int or float, optionally bounded."""
        value = self.optional_number(key, positive=positive, minimum=minimum, maximum=maximum, what=what)
        return default if value is None else value

    def optional_number(
        self,
        key: str,
        *,
        positive: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
        what: str = "a number",
    ) -> float | None:
        """Like :meth:`number` but None when absent."""
        raw = self._take(key)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            self.fail(key, f"expected {what}, got {_describe(raw)}")
        value = float(raw)
        if positive and value <= 0:
            self.fail(key, f"expected {what} greater than 0, got {raw!r}")
        if minimum is not None and value < minimum:
            self.fail(key, f"expected {what} of at least {minimum:g}, got {raw!r}")
        if maximum is not None and value > maximum:
            self.fail(key, f"expected {what} of at most {maximum:g}, got {raw!r}")
        return value

    def integer(self, key: str, default: int, *, minimum: int = 0, what: str = "an integer") -> int:
        """An integer of at least ``minimum``."""
        raw = self._take(key)
        if raw is None:
            return default
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(key, f"expected {what}, got {_describe(raw)}")
        if raw < minimum:
            self.fail(key, f"expected {what} of at least {minimum}, got {raw}")
        return raw

    def string(self, key: str, default: str, *, choices: Iterable[str] | None = None) -> str:
        """A string, optionally one of ``choices``."""
        value = self.optional_string(key, choices=choices)
        return default if value is None else value

    def optional_string(self, key: str, *, choices: Iterable[str] | None = None) -> str | None:
        """A string or None when absent."""
        raw = self._take(key)
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.fail(key, f"expected a string, got {_describe(raw)}")
        if choices is not None:
            options = sorted(choices)
            if raw not in options:
                self.fail(
                    key,
                    f"unknown value {raw!r}{suggest(raw, options)}; expected one of: " + ", ".join(options),
                )
        return raw

    def url(self, key: str, *, schemes: tuple[str, ...]) -> str | None:
        """An absolute URL with one of ``schemes`` and a host, or None when absent."""
        raw = self.optional_string(key)
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.netloc or any(c.isspace() for c in raw):
            self.fail(
                key,
                f"expected an absolute URL starting with {' or '.join(s + '://' for s in schemes)}, "
                f"got {raw!r}",
            )
        return raw.rstrip("/")

    def string_list(
        self,
        key: str,
        default: tuple[str, ...],
        *,
        choices: Iterable[str] | None = None,
        nonempty: bool = False,
    ) -> tuple[str, ...]:
        """An array of strings."""
        raw = self._take(key)
        if raw is None:
            if nonempty and not default:
                self.fail(key, "expected a non-empty array of strings, but the key is missing")
            return default
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            self.fail(key, f"expected an array of strings, got {_describe(raw)}")
        if nonempty and not raw:
            self.fail(key, "expected a non-empty array of strings, got an empty array")
        if choices is not None:
            options = sorted(choices)
            for item in raw:
                if item not in options:
                    self.fail(key, f"unknown value {item!r}{suggest(item, options)}")
        return tuple(raw)

    def number_list(
        self, key: str, default: tuple[float, ...], *, what: str = "numbers"
    ) -> tuple[float, ...]:
        """An array of finite numbers."""
        raw = self._take(key)
        if raw is None:
            return default
        if not isinstance(raw, list) or not all(
            isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in raw
        ):
            self.fail(key, f"expected an array of {what}, got {_describe(raw)}")
        return tuple(float(x) for x in raw)

    def finish(self, allowed: Iterable[str] | None = None) -> None:
        """Fail on the first key that no accessor read."""
        for key in self._data:
            options = list(allowed) if allowed is not None else self._known
            self.fail(key, f"unknown key{suggest(key, options)}")
