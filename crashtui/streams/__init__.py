"""Liquidation streams: Binance, Bybit and OKX websockets, normalised and de-duplicated.

Venue modules (:mod:`.binance`, :mod:`.bybit`, :mod:`.okx`, :mod:`.okx_rest`) hold pure
parsers; :mod:`.runner` builds the live streams from a config; :mod:`.decode` re-runs the
parsers on recorded frames for replay. This package imports nothing heavy on its own.
"""
