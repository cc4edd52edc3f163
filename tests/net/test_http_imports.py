"""What importing the HTTP client costs: httpx without its command-line tool."""

from __future__ import annotations

import subprocess
import sys


def test_httpx_is_imported_without_its_cli() -> None:
    """httpx's CLI (click, pygments: ~3.4 MiB of RSS) stays out of a crashtui process."""
    code = (
        "import sys, crashtui.net.http, httpx\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'pygments'))\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
