"""`fold`: the one form in which names are compared, wherever a name is looked up.

Why one function: the gazetteer's look-ups (`lookups.py`, the story scan), the name table each
index generation writes (`indexer/index/nametable.py`) and the query side's facet values
(`indexer/query/values.py`) each folded names their own way (case only; case and accents; case,
accents and spaces), so `country=Österreich` could be known to one and not the other. It lives
in Extract, the lowest part, so that every part above can call the same one.

Any case, no accents, control characters and runs of white space as one space, no space at
either end. Most names are ASCII, where NFKD changes nothing: that path skips it (the gazetteer
folds every phrase it loads; a third of its build time went to NFKD).
"""
from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")
_ODD = re.compile(r"[\x00-\x1f\x7f]|\s\s|[^\S ]")     # anything the two substitutions would change


def fold(text: str) -> str:
    """"  Côte d'IVOIRE " -> "cote d'ivoire": the key names are compared by."""
    if text.isascii():
        text = text.lower()
        if text.isprintable() and "  " not in text:      # no control character, no other space
            return text.strip()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    if _ODD.search(text):
        text = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    return text.strip()
