"""The alert command hook runs the user's program directly, never through a shell.

Alert text can carry provider strings (a symbol, an error), so shell metacharacters in it must
arrive as plain argument text: nothing may be expanded, chained, piped or substituted.
(The alerts suite covers delivery, timeouts and failures; this is the security property.)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from crashtui.alerts.alert import Alert, DeliveryFailure
from crashtui.alerts.hook import CommandHook

RECORD = (
    "import json, os, sys\n"
    "out = {'argv': sys.argv[1:], 'ppid': os.getppid(), 'stdin': sys.stdin.read(),\n"
    "       'message_env': os.environ.get('CRASHTUI_ALERT_MESSAGE')}\n"
    "open(os.environ['HOOK_OUT'], 'w').write(json.dumps(out))\n"
)


async def test_shell_metacharacters_in_an_alert_are_inert(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    message = (
        f"BTC broke 60,000 $(touch {marker}-dollar); touch {marker}-semi | tee {marker}-pipe "
        f"&& touch {marker}-and `touch {marker}-backtick` > {marker}-redirect"
    )
    symbol = f"'; touch {marker}-quote; '"
    alert = Alert(
        id="a1",
        at_ms=1_770_400_000_000,
        rule="btc-60k",
        kind="price",
        severity="critical",
        message=message,
        symbol=symbol,
    )
    failures: list[DeliveryFailure] = []
    hook = CommandHook(
        (sys.executable, "-c", RECORD, "{message}", "{symbol}", "literal $HOME *"),
        timeout_s=20.0,
        on_failure=failures.append,
        now_ms=lambda: 0,
        env={**os.environ, "HOOK_OUT": str(tmp_path / "out.json")},
    )
    hook.submit(alert)
    await hook.aclose()
    assert not failures, failures
    seen = json.loads((tmp_path / "out.json").read_text())
    assert seen["argv"] == [message, symbol, "literal $HOME *"]  # verbatim: no expansion, no globbing
    assert seen["ppid"] == os.getpid()  # started by crashtui itself, no shell in between
    assert seen["message_env"] == message
    assert json.loads(seen["stdin"])["message"] == message
    assert not list(tmp_path.glob("pwned*"))
