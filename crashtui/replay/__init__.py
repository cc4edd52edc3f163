"""Record and replay: raw payloads to compressed JSONL and back through the real parsers."""
