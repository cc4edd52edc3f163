"""Read-only import of open positions from exchanges through ccxt (the ``exchanges`` extra).

``keys`` reads the credentials from the environment (and nothing else does), ``mapping`` turns
ccxt's unified position structures into :class:`~crashtui.risk.position.Position`, ``fetch``
imports ccxt lazily and asks each venue with credentials for its open positions.
"""
