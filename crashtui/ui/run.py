"""Start the dashboard for parsed CLI arguments."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from crashtui.config.loader import LoadedConfig

if TYPE_CHECKING:
    from crashtui.config.schema import Config
    from crashtui.ui.prefs import UiState
    from crashtui.ui.session import FeedPlan
    from crashtui.ui.watchlists import WatchlistBook


def run_dashboard(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Run the Textual app until the user quits; returns the exit code.

    The engine is built inside the app (off the event loop, after the first paint), so the first
    frame paints at once: nothing here may import the feed, the analysis or the store.
    """
    from crashtui.config.symbols import with_symbols
    from crashtui.ui.app import CrashApp
    from crashtui.ui.options import options_from
    from crashtui.ui.pins import PinBook
    from crashtui.ui.positions import PositionBook
    from crashtui.ui.prefs import load_state, save_pins, save_positions
    from crashtui.ui.session import plan_from_args

    state, warning = load_state()
    # symbols added from the watchlist editor after a lookup map like [symbols.X] tables
    config = with_symbols(loaded.config, state.symbols)
    plan = plan_from_args(args, config)
    book = watchlist_book(args, config, plan, state)
    positions = PositionBook(config.positions, state.positions, save=save_positions)
    app = CrashApp(
        config,
        plan=plan,
        options=options_from(args, config.ui),
        book=book,
        warnings=[w for w in (warning,) if w],
        positions=positions,
        pins=PinBook(state.pins, save=save_pins),
    )
    app.run(mouse=app.options.mouse)
    return int(app.return_code or 0)


def watchlist_book(args: argparse.Namespace, config: Config, plan: FeedPlan, state: UiState) -> WatchlistBook:
    """The dashboard's watchlists. In replay, edits last for the replay session: the live
    watchlists and the state file change only when a list is saved on purpose."""
    from crashtui.config.symbols import table_from_config
    from crashtui.ui.prefs import save_state
    from crashtui.ui.watchlists import WatchlistBook

    table = table_from_config(config)
    # In replay without --watchlist, the recording's own watchlist (known once it is read).
    recording: tuple[str, ...] | None = () if plan.replay and not args.watchlist else None
    return WatchlistBook(
        config,
        state,
        known=table.__contains__,
        save=save_state,
        recording=recording,
        initial=args.watchlist,
        remember_active=not plan.replay,
        session_only=plan.replay,
    )
