"""Farside spot-ETF flow pages (``farside.co.uk/btc/``, ``/eth/``), parsed with the stdlib.

The page is one ``<table class="etf">``. Columns are mapped by the **ticker header row**
(funds are added over time, so never by position); values are US$ millions with
parenthesised negatives and thousands separators. ``-`` or an empty cell means "not
published" (or "not launched"), never zero. Today's placeholder row (green ``#99ff99``
background, every fund ``-``, Total ``0.0``) is not published. Rows whose first cell is not
a date (Seed, Total, Average, Maximum, Minimum, Fee, or a month such as ``Jan 2026``) are
skipped: every row kept is a trading day (``period="day"``). Each published row is
checked: the funds must sum to the Total within 1% (or the rounding of the printed
figures, whichever is larger); a mismatch means the layout changed and raises
:class:`~crashtui.errors.ParseError` rather than showing wrong numbers.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import date
from html import unescape

from crashtui.errors import BlockedError, ParseError
from crashtui.model import EtfFlow, FundFlow, RawPayload
from crashtui.sources.common import Decoder, Items, PollContext, context, day_ms, fetch_each, param, parser
from crashtui.sources.rows import RowShapeError, each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request, blocked_hint, is_challenge

SOURCE = "farside"
PAGES = {"BTC": "/btc/", "ETH": "/eth/"}
PLACEHOLDER_STYLE = "#99ff99"
SUM_TOLERANCE = 0.01
_TICKER = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_NUMBER = re.compile(r"^\(?-?[\d,]+(\.\d+)?\)?\*?$")


@dataclass(slots=True)
class _Row:
    style: str
    header: bool
    cells: list[str] = field(default_factory=list)


_TOKEN = re.compile(
    r"<(?:script|style)\b.*?(?:</(?:script|style)\s*>|\Z)"  # never tags, whatever they hold
    r"|<!--.*?(?:-->|\Z)"  # a comment (an unterminated one runs to the end, as HTMLParser's does)
    r"|<(/?)([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"  # a start or end tag
    r"|<"  # a lone "<" is text
    r"|[^<]+",
    re.DOTALL | re.IGNORECASE,
)
_ATTR = re.compile(r"([^\s=/>]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]*)))?")


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(text):
        name = m.group(1).lower()
        if name not in out:
            out[name] = unescape(m.group(2) or m.group(3) or m.group(4) or "")
    return out


def etf_table_rows(html: str) -> list[_Row]:
    """The rows of the first ``<table class="etf">``: each cell's text (whitespace collapsed,
    character references decoded) and the row's style; a nested table's rows are not its rows.

    A regular-expression tokenizer rather than :class:`html.parser.HTMLParser`: the page is
    parsed on every poll and over every replay, and the stdlib parser took ~3.5 ms a page.
    """
    table = _EtfTable()
    for m in _TOKEN.finditer(html):
        tag = m.group(2)
        if tag is None:
            text = m.group()
            if text == "<" or text[0] != "<":  # text (not a comment or a script)
                table.text(text)
            continue
        tag = tag.lower()
        if m.group(1):
            table.end(tag)
            continue
        table.start(tag, m.group(3))
        if m.group(3).rstrip().endswith("/"):  # <td/>: opened and closed
            table.end(tag)
        if table.done:
            break
    return table.rows


@dataclass(slots=True)
class _EtfTable:
    """The etf table's rows as its tags go by (see :func:`etf_table_rows`)."""

    rows: list[_Row] = field(default_factory=list)
    depth: int = 0  # table nesting inside the etf table (0: outside)
    done: bool = False
    in_head: bool = False
    row: _Row | None = None
    cell: list[str] | None = None

    def start(self, tag: str, attrs: str) -> None:
        if tag == "table":
            if self.depth or "etf" in _attrs(attrs).get("class", "").split():
                self.depth += 1
        elif self.depth == 1:
            if tag == "thead":
                self.in_head = True
            elif tag == "tr":
                attr = _attrs(attrs)
                self.row = _Row(style=attr.get("style", "") + attr.get("bgcolor", ""), header=self.in_head)
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []

    def end(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
            self.done = self.depth == 0
        elif self.depth == 1:
            if tag == "thead":
                self.in_head = False
            elif tag in ("td", "th") and self.row is not None and self.cell is not None:
                self.row.cells.append(" ".join(unescape("".join(self.cell)).split()))
                self.cell = None
            elif tag == "tr" and self.row is not None:
                self.rows.append(self.row)
                self.row = None

    def text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def parse_cell(text: str) -> float | None:
    """A US$m cell: ``209.4``, ``(44.5)`` → -44.5, ``1,119.9``; ``-`` or empty → None."""
    value = text.strip().rstrip("*").strip()
    if value in ("", "-", "–", "—"):
        return None
    if not _NUMBER.match(value):
        raise ParseError(f"farside: unexpected cell {value[:20]!r}")
    negative = value.startswith("(") and value.endswith(")")
    number = float(value.strip("()").replace(",", ""))
    return -number if negative else number


def parse_day(text: str) -> date | None:
    """``06 Jul 2026`` → a date; None when the first cell is not a date (summary rows)."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    month = _MONTHS.get(match.group(2).lower())
    if month is None:
        return None
    return date(int(match.group(3)), month, int(match.group(1)))


def _ticker_header(rows: list[_Row]) -> list[str]:
    for row in rows:
        inner = row.cells[1:-1] if len(row.cells) > 2 else []
        if len(inner) >= 2 and all(_TICKER.match(c) for c in inner) and row.cells[0] in ("", "Date"):
            return inner
    raise ParseError("farside: no ticker header row in the etf table (page layout changed?)")


def _sum_ok(funds: list[float], total: float) -> bool:
    rounding = 0.05 * len(funds)  # each printed figure is rounded to 0.1
    return abs(sum(funds) - total) <= max(SUM_TOLERANCE * abs(total), rounding) + 1e-9


@parser("farside")
def parse_page(body: bytes, *, asset: str, source: str = SOURCE) -> tuple[EtfFlow, ...]:
    """Daily flows (oldest first) with per-fund figures; unpublished days have ``total_usd_m=None``."""
    html = body.decode("utf-8", errors="replace")
    rows = etf_table_rows(html)
    if not rows:
        if is_challenge(body, {}):
            raise BlockedError("farside: anti-bot challenge page", hint=blocked_hint(source))
        raise ParseError('farside: no <table class="etf"> on the page (layout changed?)')
    tickers = _ticker_header(rows)

    def read(row: _Row) -> EtfFlow | None:
        if row.header or not row.cells:
            return None
        day = parse_day(row.cells[0])
        if day is None:
            return None  # Seed, Total, Average, Maximum, Minimum, Fee
        if len(row.cells) != len(tickers) + 2:
            raise RowShapeError(
                f"farside: {row.cells[0]} has {len(row.cells)} cells for {len(tickers)} funds"
            )
        values = [parse_cell(c) for c in row.cells[1:-1]]
        total = parse_cell(row.cells[-1])
        published = [v for v in values if v is not None]
        if PLACEHOLDER_STYLE in row.style.lower() or not published:
            values, total = [None] * len(values), None
        elif total is not None and not _sum_ok(published, total):
            raise ParseError(
                f"farside: {row.cells[0]} funds sum to {sum(published):.1f} but Total is {total:.1f} "
                "(columns shifted?)"
            )
        funds = tuple(FundFlow(t, v) for t, v in zip(tickers, values, strict=True))
        return EtfFlow(
            asset=asset, day_ms=day_ms(day), total_usd_m=total, source=source, funds=funds, period="day"
        )

    out = {flow.day_ms: flow for flow in each_row(rows, read, "day")}
    return tuple(out[d] for d in sorted(out))


def page_requests(ctx: PollContext) -> list[Request]:
    """The BTC and ETH pages."""
    return [
        Request(
            source=ctx.source,
            endpoint="etf_page",
            url=ctx.url(path),
            context=context(asset=asset),
            expect="html",
            headers={"Accept": "text/html"},
        )
        for asset, path in PAGES.items()
    ]


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``etf``."""
    if kind != "etf":
        raise ValueError(f"farside does not serve {kind}")
    return fetch_each(page_requests(ctx), ctx)


def _decode(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "etf", parse_page(raw.body, asset=param(raw, "asset"), source=raw.source)


EXPECT: dict[str, str] = {"etf_page": "html"}
"""Endpoints whose good body is not JSON (see :data:`crashtui.sources.registry.EXPECTS`)."""
DECODERS: dict[str, Decoder] = {"etf_page": _decode}
