"""Pure renderers: analysis and snapshot data → Rich ``Text`` for a given width (no textual)."""
