"""History store: SQLite in WAL mode, written in batches off the event loop."""
