"""Subcommands registered with the CLI (see ``crashtui.cli.SUBCOMMAND_MODULES``)."""
