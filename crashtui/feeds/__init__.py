"""Where data comes from: one :class:`~crashtui.feeds.base.Feed` protocol, four implementations.

* :mod:`~crashtui.feeds.live`: the providers themselves (REST polling and websocket streams);
* :mod:`~crashtui.feeds.replay`: a recording, paced, pausable and seekable;
* :mod:`~crashtui.feeds.followers`: a collector, through its SQLite store or through Redis.

Each hands what it gets to the one ingest pipeline it is attached to; none imports the engine.
"""
