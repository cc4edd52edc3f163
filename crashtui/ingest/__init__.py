"""The single ingest path: decode, gate and apply whatever a feed delivers (see pipeline.py)."""
