"""Pure, headless analysis over snapshot data: zones, liquidation tallies, ETF flows, crash gauge.

Nothing here does IO or imports textual; numpy is imported inside the functions that need it.
Every result is a frozen dataclass that ``dataclasses.asdict`` turns into JSON-ready data.
"""
