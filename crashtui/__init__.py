"""crashtui: a terminal monitor for crypto sell-offs."""

import sys

__version__ = "0.1.0"

# httpx's package init imports its command-line tool when click is installed (click, pygments
# and rich.syntax: ~3.4 MiB of a live dashboard's RSS); crashtui never runs it. A None entry
# makes that optional import fail, so httpx keeps its stub ``main``, as it does without click.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
