"""The date facet: a timeline of years, months or days, and the `date`, `from` and `to` parameters.

Why a facet class of its own: the date facet is counted from a column of days, not from terms, and it
is chosen by a range, not by values, so it shares nothing with the value facets but its place in the
panel and its URL parameters. Those used to be restated in the request parser, the web views, the
feeds and the link builder; now they are here: which parameters it takes and how they parse, how a
timeline is cut into buckets, and how a bucket is named.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Callable

UNDATED_VALUE = "undated"     # the date facet's bucket (and `date` value) of stories without a date
MAX_YEARS_SPAN = 200          # years between the first and last story drawn with their empty years
_PART = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"


@dataclass(frozen=True)
class DateFacet:
    name: str = "date"
    param: str = "date"              # a bucket: YYYY, YYYY-MM, YYYY-MM-DD, a span A..B of those, "undated"
    title: str = "Date"
    range_params: tuple[str, str] = ("from", "to")

    @property
    def params(self) -> tuple[str, ...]:
        return (self.param, *self.range_params)

    @property
    def filter_titles(self) -> dict[str, str]:
        """Parameter -> the title of its chip among the filters in force."""
        return {self.param: self.title, **{p: p.capitalize() for p in self.range_params}}

    @property
    def exclusive(self) -> dict[str, tuple[str, ...]]:
        """A bucket replaces an explicit range and the other way round."""
        return {self.param: self.range_params, **{p: (self.param,) for p in self.range_params}}

    # ------------------------------------------------------------ parameters

    def parse(self, one: Callable[[str], str], fail: Callable) -> tuple[_dt.date | None, _dt.date | None, bool]:
        """(from, to, undated) of a request; `fail(message, param)` raises the request's error."""
        start_param, end_param = self.range_params
        date_from = parse_date(one(start_param), start_param, fail) if one(start_param) else None
        date_to = parse_date(one(end_param), end_param, fail, end=True) if one(end_param) else None
        undated = False
        if one(self.param):
            d = one(self.param).strip()
            if d == UNDATED_VALUE:
                undated = True
            elif re.fullmatch(_PART + r"(?:\.\." + _PART + ")?", d):
                start, _, end = d.partition("..")
                date_from = parse_date(start, self.param, fail)
                date_to = parse_date(end or start, self.param, fail, end=True)
            else:
                fail(f"'{self.param}' must be YYYY, YYYY-MM, YYYY-MM-DD, FROM..TO or undated (got {d[:40]!r})",
                     self.param)
        if date_from and date_to and date_from > date_to:
            fail(f"'{start_param}' ({date_from}) is after '{end_param}' ({date_to})", start_param)
        return date_from, date_to, undated

    # ------------------------------------------------------------ timeline

    @staticmethod
    def frame(lo: _dt.date, hi: _dt.date) -> tuple[str, int, dict[str, int]]:
        """(granularity, key width, every bucket from lo to hi at 0): by day when lo and hi are in one
        month, by month when in one year, else by year (no empty years past MAX_YEARS_SPAN)."""
        if (lo.year, lo.month) == (hi.year, hi.month):
            return "day", 10, {(lo + _dt.timedelta(days=i)).isoformat(): 0 for i in range((hi - lo).days + 1)}
        if lo.year == hi.year:
            return "month", 7, {f"{lo.year:04d}-{m:02d}": 0 for m in range(lo.month, hi.month + 1)}
        years = {f"{y:04d}": 0 for y in range(lo.year, hi.year + 1)} if hi.year - lo.year <= MAX_YEARS_SPAN else {}
        return "year", 4, years

    def buckets(self, days: dict[str, int], undated: int) -> tuple[list[tuple[str, int]], str]:
        """(buckets, granularity) from counts per ISO day: a gap shows as a gap, a run of empty buckets
        as one ("1988..2025", 0), then ("undated", n) when some stories have no date."""
        tail = [(UNDATED_VALUE, undated)] if undated else []
        if not days:
            return tail, "year"
        granularity, width, buckets = self.frame(_dt.date.fromisoformat(min(days)), _dt.date.fromisoformat(max(days)))
        for d, c in sorted(days.items()):
            buckets[d[:width]] = buckets.get(d[:width], 0) + c
        return collapse_gaps(sorted(buckets.items())) + tail, granularity

    # ------------------------------------------------------------ labels

    def label(self, value: str, long: bool = False) -> str:
        """'1987' -> '1987', '1987-03' -> 'Mar 1987', '1987-03-05' -> '5 Mar 1987' (long: 'March'),
        '1988..2025' -> '1988–2025: none' (a collapsed empty stretch), 'undated' -> 'Undated'."""
        if value == UNDATED_VALUE:
            return "Undated"
        if ".." in value:
            a, _, b = value.partition("..")
            return f"{self.label(a, long)}–{self.label(b, long)}: none"
        try:
            if len(value) == 7 and value[4] == "-":
                return _dt.date(int(value[:4]), int(value[5:7]), 1).strftime("%B %Y" if long else "%b %Y")
            if len(value) == 10 and value[4] == "-":
                d = _dt.date.fromisoformat(value)
                return f"{d.day} " + d.strftime("%B %Y" if long else "%b %Y")
        except ValueError:
            pass
        return value


def parse_date(value: str, param: str, fail: Callable, end: bool = False) -> _dt.date:
    """YYYY, YYYY-MM or YYYY-MM-DD as its first day (its last with `end`)."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return _dt.date(int(value), 12, 31) if end else _dt.date(int(value), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            y, m = map(int, value.split("-"))
            first = _dt.date(y, m, 1)
            if not end:
                return first
            nxt = _dt.date(y + (m == 12), m % 12 + 1, 1)
            return nxt - _dt.timedelta(days=1)
        return _dt.date.fromisoformat(value)
    except ValueError:
        pass
    fail(f"'{param}' must be a date as YYYY-MM-DD (got {value[:40]!r})", param)
    raise ValueError(value)      # `fail` raises; this is for a `fail` that does not


def collapse_gaps(buckets: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Runs of two or more empty buckets as one ("1988..2025", 0)."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(buckets):
        j = i
        while j < len(buckets) and buckets[j][1] == 0:
            j += 1
        if j - i >= 2:
            out.append((f"{buckets[i][0]}..{buckets[j - 1][0]}", 0))
            i = j
        else:
            out.append(buckets[i])
            i += 1
    return out


DATE = DateFacet()
