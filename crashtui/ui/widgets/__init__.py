"""Dashboard widgets: text views that redraw only on change, the watchlist table, cached plots."""
