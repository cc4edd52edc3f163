"""Market-data sources: one module per provider, pure parsers plus thin IO."""
