"""Start the dashboard for parsed CLI arguments."""

from __future__ import annotations

import argparse

from crashtui.config.loader import LoadedConfig


def run_dashboard(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Run the Textual app until the user quits; returns the exit code."""
    from crashtui.headless.once import build_engine
    from crashtui.ui.app import CrashApp

    engine = build_engine(args, loaded, headless=False)
    app = CrashApp(engine, loaded.config)
    app.run(mouse=not args.no_mouse)
    return int(app.return_code or 0)
