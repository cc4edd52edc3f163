"""The live feed: REST poll loops with failover, statuses and raw payloads for the recorder."""

from crashtui.feed.context import table_from_config
from crashtui.feed.poller import Poller

__all__ = ["Poller", "table_from_config"]
