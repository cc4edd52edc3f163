"""Generator of the bundled ``feb-2026`` replay scenario (not part of the installed package)."""
