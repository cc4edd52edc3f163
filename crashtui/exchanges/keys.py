"""Exchange credentials from environment variables, and the scrubbing of them from any text.

The only place credentials come from is the environment: ``CRASHTUI_BINANCE_API_KEY`` and
``CRASHTUI_BINANCE_API_SECRET``, the same for ``BYBIT``, ``OKX`` (plus
``CRASHTUI_OKX_API_PASSPHRASE``), and ``CRASHTUI_HYPERLIQUID_WALLET`` (a wallet address:
Hyperliquid positions are public, no key needed). A venue counts as configured when all its
variables are set; a half-set venue is reported by name, never by value. The values are kept
in :class:`Credentials` whose ``repr`` hides them, and :func:`scrub` masks every one of them in
any text before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crashtui.risk.position import Venue
from crashtui.textsafe import ERROR_LINE, plain

PREFIX = "CRASHTUI_"
# Per venue: the environment variables it needs, by the ccxt constructor option they fill.
ENV_VARS: Mapping[Venue, Mapping[str, str]] = {
    Venue.BINANCE: {"apiKey": "CRASHTUI_BINANCE_API_KEY", "secret": "CRASHTUI_BINANCE_API_SECRET"},
    Venue.BYBIT: {"apiKey": "CRASHTUI_BYBIT_API_KEY", "secret": "CRASHTUI_BYBIT_API_SECRET"},
    Venue.OKX: {
        "apiKey": "CRASHTUI_OKX_API_KEY",
        "secret": "CRASHTUI_OKX_API_SECRET",
        "password": "CRASHTUI_OKX_API_PASSPHRASE",
    },
    Venue.HYPERLIQUID: {"walletAddress": "CRASHTUI_HYPERLIQUID_WALLET"},
}
SECRET_NAMES: frozenset[str] = frozenset(name for names in ENV_VARS.values() for name in names.values())
# Values shorter than this are not masked inside other words (a 1-character "secret" would
# mask every such letter); they are still never printed on their own.
MIN_SCRUB_LEN = 4
MASK = "***"
# ccxt error texts can carry the request URL: its query string holds the signature, the
# timestamp and, on some venues, the key itself.
_URL_QUERY = re.compile(r"(https?://[^\s?#\"']+)\?[^\s\"']*")
_SIGNED_PARAM = re.compile(
    r"(?i)\b(signature|sign|api[-_]?key|apikey|secret|passphrase|x-mbx-apikey|ok-access-[a-z]+|"
    r"x-bapi-[a-z-]+|private[-_]?key)([\"']?\s*[:=]\s*[\"']?)[^\s,&\"'}]+"
)


@dataclass(frozen=True)
class Credentials:
    """One venue's credentials: ccxt constructor options. ``repr`` never shows the values."""

    venue: Venue
    options: Mapping[str, str] = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials({self.venue.value}, {MASK})"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every value (to scrub from text)."""
        return tuple(self.options.values())


@dataclass(frozen=True, slots=True)
class EnvCredentials:
    """What the environment holds: complete venues, and venues with only some variables set."""

    venues: tuple[Credentials, ...] = ()
    incomplete: Mapping[Venue, tuple[str, ...]] = field(default_factory=dict)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential value, of every venue."""
        return tuple(s for c in self.venues for s in c.secrets)

    def __bool__(self) -> bool:
        return bool(self.venues or self.incomplete)


def credentials_from_env(environ: Mapping[str, str]) -> EnvCredentials:
    """The venues whose variables are all set (blank counts as unset), in venue order."""
    venues: list[Credentials] = []
    incomplete: dict[Venue, tuple[str, ...]] = {}
    for venue, names in ENV_VARS.items():
        values = {option: environ.get(name, "").strip() for option, name in names.items()}
        missing = tuple(names[o] for o, v in values.items() if not v)
        if not missing:
            venues.append(Credentials(venue, values))
        elif len(missing) < len(names):
            incomplete[venue] = missing
    return EnvCredentials(tuple(venues), incomplete)


def is_secret_env(name: str) -> bool:
    """Whether an environment variable holds exchange credentials (kept from child processes)."""
    return name in SECRET_NAMES


def without_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without the exchange credential variables (for alert hooks)."""
    return {k: v for k, v in environ.items() if not is_secret_env(k)}


def scrub(text: object, secrets: Iterable[str], limit: int | None = ERROR_LINE) -> str:
    """``text`` safe to show: every secret masked, URL query strings and signed parameters
    dropped, then :func:`~crashtui.textsafe.plain` (one line, no escapes, at most ``limit``)."""
    out = str(text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= MIN_SCRUB_LEN or out == secret:
            out = out.replace(secret, MASK)
    out = _URL_QUERY.sub(r"\1?…", out)
    out = _SIGNED_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", out)
    cleaned = plain(out, limit)
    # plain() collapses whitespace: a secret split by a newline would join up again
    for secret in secrets:
        if secret and len(secret) >= MIN_SCRUB_LEN and secret in cleaned:
            cleaned = cleaned.replace(secret, MASK)
    return cleaned
