"""What an acronym a story defines names: a body (and of which kind), or nothing at all.

Why a module of its own: `entity_rules._learn_acronyms` finds definitions such as "Commodity
Futures Trading Commission (CFTC)"; not every one names a body ("Special Drawing Right (SDR)",
"Public Sector Borrowing Requirement (PSBR)", "United Arab Emirates (UAE)"), and a body the
gazetteer does not list is a government body far more often than the "other" it used to get
(CFTC, EPA, EIA). The stop list (with the reason for each entry) and the words that mark a
government body are data, `data/acronyms.json`; this module only applies them.
"""
from __future__ import annotations

import json
from functools import lru_cache

from .gazetteer import _COUNTRY, DATA, _fold, _gaz


@lru_cache(maxsize=1)
def _data() -> dict:
    d = json.loads((DATA / "acronyms.json").read_text(encoding="utf-8"))
    return {"stop": d["not_organisations"], "gov": frozenset(d["government_words"]),
            "gov_first": tuple(w + " " for w in d["government_first_words"])}


def not_a_body(short: str, long_form: str) -> str | None:
    """Why the defined acronym `short` ("SDR") names no body, or None when it may name one."""
    reason = _data()["stop"].get(short)
    if reason:
        return reason
    hit = _gaz().lookup.get(_fold(long_form))
    if hit and hit[0] == _COUNTRY:
        return f"{long_form}: a country"
    return None


def kind(long_form: str) -> str | None:
    """"government" when the long form names a government body ("Environmental Protection
    Agency", "Federal Home Loan Bank Board"), else None (the caller decides)."""
    d = _data()
    words = long_form.replace(",", " ").split()
    if any(w in d["gov"] for w in words) or (long_form + " ").startswith(d["gov_first"]):
        return "government"
    return None
