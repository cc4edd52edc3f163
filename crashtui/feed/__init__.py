"""The live feed: REST poll loops with failover, statuses and raw payloads for the recorder."""

from crashtui.feed.poller import Poller
from crashtui.symbols import table_from_config

__all__ = ["Poller", "table_from_config"]
