"""Talking to the providers: REST poll loops with failover and health, the liquidation stream
runners and the OKX REST service. Everything received goes to the ingest pipeline as raw
payloads; nothing here decodes."""
