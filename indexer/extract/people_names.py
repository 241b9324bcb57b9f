"""How a run of capitalised words becomes a person's name (people.py decides whether it is one).

Why a module of its own: the token patterns, the joining of "van der" runs, the split of a title
from the name ("Treasury Secretary | James Baker") and the shape of a name (first names and
initials, then at most two surnames; in German the second only when it does not end like a noun,
and a genitive -s dropped when the story writes the name without it) are the parts that read
text; people.py holds the cues and the decision. Rules are passed in (`people._Rules`), data
lives in `data/people.json`.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .gazetteer import _gaz

if TYPE_CHECKING:
    from .people import _Rules

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_LO = "a-zß-öø-ÿāăąćčďđēėęěğīįıłńňōőœřśşšţťūůűųźżž"
_CAP = rf"(?:Mc|Mac|O['’]|D['’])?[{_UP}][{_LO}]+(?:[-'’][{_UP}]?[{_LO}]+)*"
_INITIAL = rf"[{_UP}]\.(?:-?[{_UP}]\.)*"
_PREFIXED = rf"(?:al|el|bin|abu|ben|ibn)-[{_UP}][{_LO}]+"
_COMPOUND = rf"(?:[\w]+-)+[{_UP}][{_LO}]+"            # "SPÖ-Chef", "GPA-djp-Chef", "Ex-Präsident"
_TOK = rf"(?:{_CAP}|{_INITIAL}|{_PREFIXED}|{_COMPOUND})"
_IS_INITIAL = re.compile(_INITIAL).fullmatch


def _split(run: str, r: _Rules, of_title: bool = False) -> tuple[list[str], list[str]]:
    """(title words, name words) of a run: the name follows the last title word, or the word after
    "Secretary of" ("Secretary of State George Shultz"), or an owner's possessive ("Hutton's Phillippi")."""
    toks = run.replace(", Jr", " Jr").replace(", Sr", " Sr").split()
    if toks[-1].endswith(("'s", "’s")):
        toks[-1] = toks[-1][:-2]         # "Reagan's": the person is Reagan
    k = 0 if of_title and len(toks) > 1 else -1
    for i, t in enumerate(toks[:-1]):
        if r.is_title(t) or t.endswith(("'s", "’s")):
            k = i
    if "-" in toks[-1] and toks[-1].rsplit("-", 1)[1] in r.hyphen_tails:
        return toks[:k + 1], []          # "Carl Icahn-led": an attribute, not the name
    title, name = toks[:k + 1], toks[k + 1:]
    while name and (name[0] in r.stop or name[0] in r.particles):
        title, name = [], name[1:]          # "But James Baker": a sentence opener, no title
    return title, name


def _core(name: list[str], r: _Rules) -> list[str]:
    """The name's words without initials, particles and suffixes (what must look like a name)."""
    return [w for w in name if w not in r.particles and w not in r.suffixes and not _IS_INITIAL(w)]


class _Run:
    """A name run's span in its text (the part of re.Match that the rules use)."""
    __slots__ = ("text", "a", "b")

    def __init__(self, text: str, a: int, b: int):
        self.text, self.a, self.b = text, a, b

    def start(self) -> int:
        return self.a

    def end(self) -> int:
        return self.b

    def group(self, _i: int = 0) -> str:
        return self.text[self.a:self.b]


def _runs(text: str, r: _Rules):
    """Runs of capitalised words; "van der", "de", "von" join two runs only after a first name or an
    initial ("Ludwig van Beethoven", "Alexander Van der Bellen"), never after a noun ("Roger Federer
    den Kürzeren", "Begründung von James H. Billington" are two runs)."""
    pending = None
    for m in r.run.finditer(text):
        if pending is not None:
            gap = r.particle_gap.fullmatch(text, pending.b, m.start())
            last = text[pending.a:pending.b].rsplit(" ", 1)[-1]
            if gap and (last in r.first_names or last.endswith(".") or last.lower() in r.particles):
                pending.b = m.end()
                continue
            yield pending
        pending = _Run(text, m.start(), m.end())
    if pending is not None:
        yield pending


def _shape(name: list[str], r: _Rules) -> list[str]:
    """The name without what follows it: first names and initials, then at most two surnames
    ("Jorge Luis Leao Franco"). In a language that capitalises nouns the second one only when it
    does not end like a noun and the first is no genitive ("Martin Luther King"; "Ernst
    Kaltenbrunners Alpeninszenierung" is Ernst Kaltenbrunner)."""
    german = _gaz().multilingual
    most = 2 if name and name[0] in r.first_names else 3      # "Präsident Barack Obama": a first name the list lacks
    out, surnames = [], 0
    for i, w in enumerate(name):
        if w in r.suffixes and out:
            out.append(w)
            break
        is_given = ((w in r.first_names and surnames == 0) or _IS_INITIAL(w) or w in r.particles
                    or (w in r.cap_particles and out and i + 1 < len(name)))     # "Maggie De Block"
        if not is_given:
            if surnames == most and i:
                break
            if german and surnames and (out[-1].endswith("s") and not out[-1].endswith("ss")
                                        or w.lower().endswith(r.noun_endings)):
                break
            surnames += 1
        out.append(w)
    return out


def _genitive(name: list[str], text: str) -> list[str]:
    """"Heinz Spindlers Stimmungslage": in German, a surname with an -s the story also writes without
    it is the genitive of that name (Bradley Wiggins stays Wiggins: the story never writes "Wiggin")."""
    last = name[-1]
    if len(name) > 1 and last.endswith("s") and not last.endswith("ss") and re.search(
            rf"\b{re.escape(last[:-1])}\b(?![-'’])", text):
        return name[:-1] + [last[:-1]]
    return name
