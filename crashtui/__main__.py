"""``python -m crashtui``."""

from crashtui.cli import main

raise SystemExit(main())
