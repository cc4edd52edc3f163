"""Exchange credentials: from the environment only, never shown."""

from __future__ import annotations

from crashtui.alerts.alert import Alert
from crashtui.alerts.hook import alert_env
from crashtui.exchanges.keys import credentials_from_env, scrub, without_secrets
from crashtui.risk.position import Venue
from tests.exchanges.fake_ccxt import FAKE_KEY, FAKE_OKX, FAKE_SECRET, FAKE_WALLET

ENV = {
    "CRASHTUI_BINANCE_API_KEY": FAKE_KEY,
    "CRASHTUI_BINANCE_API_SECRET": FAKE_SECRET,
    "CRASHTUI_OKX_API_KEY": FAKE_OKX[0],
    "CRASHTUI_OKX_API_SECRET": FAKE_OKX[1],
    "CRASHTUI_HYPERLIQUID_WALLET": FAKE_WALLET,
    "HOME": "/home/trader",
}


def test_complete_venues_and_half_set_ones() -> None:
    creds = credentials_from_env(ENV)
    assert [c.venue for c in creds.venues] == [Venue.BINANCE, Venue.HYPERLIQUID]
    assert dict(creds.venues[0].options) == {"apiKey": FAKE_KEY, "secret": FAKE_SECRET}
    assert dict(creds.venues[1].options) == {"walletAddress": FAKE_WALLET}
    assert creds.incomplete == {Venue.OKX: ("CRASHTUI_OKX_API_PASSPHRASE",)}


def test_nothing_set_is_falsy_and_blank_counts_as_unset() -> None:
    assert not credentials_from_env({})
    assert not credentials_from_env({"CRASHTUI_BYBIT_API_KEY": "  ", "CRASHTUI_BYBIT_API_SECRET": ""})


def test_repr_never_shows_a_value() -> None:
    creds = credentials_from_env(ENV)
    for text in (repr(creds), str(creds), repr(creds.venues[0])):
        assert FAKE_KEY not in text
        assert FAKE_SECRET not in text
        assert FAKE_WALLET not in text


def test_scrub_masks_values_urls_and_signed_parameters() -> None:
    text = (
        f"GET https://fapi.binance.com/fapi/v2/positionRisk?timestamp=1&signature=deadbeef&x={FAKE_KEY}\n"
        f"headers {{'X-MBX-APIKEY': '{FAKE_KEY}', 'OK-ACCESS-PASSPHRASE': 'abc'}} secret={FAKE_SECRET} "
        "\x1b]52;c;Zm9v\x07 code -2015"
    )
    out = scrub(text, (FAKE_KEY, FAKE_SECRET), None)
    assert FAKE_KEY not in out
    assert FAKE_SECRET not in out
    assert "signature=deadbeef" not in out
    assert "abc" not in out  # a header value that is not one of ours, dropped by its name
    assert "https://fapi.binance.com/fapi/v2/positionRisk?…" in out
    assert "\x1b" not in out
    assert "\n" not in out
    assert "code -2015" in out


def test_scrub_masks_a_secret_cut_by_the_length_limit() -> None:
    out = scrub("x" * 150 + FAKE_KEY, (FAKE_KEY,), 160)
    assert FAKE_KEY[:8] not in out


def test_alert_hooks_never_get_the_credentials() -> None:
    alert = Alert(id="a1", at_ms=0, rule="r", kind="price_below", severity="warning", message="m")
    env = alert_env(alert, ENV)
    assert "HOME" in env
    assert not [k for k in env if k.startswith(("CRASHTUI_BINANCE", "CRASHTUI_OKX", "CRASHTUI_HYPER"))]
    assert FAKE_KEY not in str(env)
    assert FAKE_WALLET not in str(env)
    assert without_secrets(ENV) == {"HOME": "/home/trader"}
