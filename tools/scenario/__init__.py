"""The scenario builder: bundled replay recordings from real daily data plus a small spec.

``python -m tools.scenario build NAME`` writes ``crashtui/scenarios/NAME.jsonl.gz`` from
``tools/scenario/data/NAME/`` (its ``scenario.toml`` and the real data files beside it);
``python -m tools.scenario check`` verifies the bundled files are what the specs give.
See ``tools/scenario/README.md``. Not part of the installed package.
"""
