"""Where applied events go besides the state: the history store, the collector's shared feed."""
