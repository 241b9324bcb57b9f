"""The source of a saved web page: the name the site gives itself, checked against where the page lives.

Why not `og:site_name` as it stands: read page by page over the 990 saved pages of the corpus
(issue 22's judged source sample), the declared name is often something else -

- a section ("U.S." on reuters.com, "Privatkredit" on smava.de, "Start" on neos.eu),
- the headline ("Bürgerbeteiligung für Windpark Steinheim" on enbw.com),
- a template never filled in ("{$plugin.tx_news.opengraph.site_name}"),
- the name with a slogan ("WSVN 7News | Miami News, Weather, Sports | Fort Lauderdale"),
- an address ("https://www.fr.de", "tdg.ch/"), or the owner of a site, not the site
  ("Wikimedia Foundation, Inc." for Wikipedia);

while the same page names itself reliably in the tail of its `<title>` ("... | Reuters",
"... | EnBW") and lives at a host that spells the name ("reuters.com", "enbw.com"). So every name
the page declares (`og:site_name`, the JSON-LD publisher, the `<title>`'s tail) is split at its
separators, and the first part that the host spells wins; with none spelt by the host the
declared site name stays (its first part: "Infoportal - Diakonie Deutschland" keeps the part the
host spells, a name with a slogan keeps its name), unless it is the headline or a template;
a page that declares no usable name is known by its host ("omr.com"; an archived page by the
host it archived, not web.archive.org).
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

_SEPARATORS = re.compile(r"\s+[|ǀ/\-–—•·»:]\s+|\s*\.?::+\.?\s*")
_TEMPLATE = re.compile(r"\{\{|\{\$|\}\}|%%|\$\{")
_SCHEME = re.compile(r"^[a-z]+://", re.I)
_ARCHIVED = re.compile(r"^/web/[\w*]+/(?:[a-z]+:/+)?([^/]+)", re.I)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
MAX_WORDS = 8           # a longer "name" is a sentence: a headline or a slogan


def host_of(url: str) -> str:
    """The host a page lives at, without "www."; an archived page's own host (web.archive.org/web/<time>/<url>)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if host.endswith("archive.org"):
        m = _ARCHIVED.match(parts.path)
        host = m.group(1).lower().split(":")[0] if m else host
    host = host[4:] if host.startswith("www.") else host
    try:                                 # "seglerblog.xn--stssenseer-fcb.de" is seglerblog.stössenseer.de
        return host.encode("ascii").decode("idna") if "xn--" in host else host
    except UnicodeError:
        return host


def _fold(text: str) -> str:
    """Letters and digits only, umlauts spelt out and accents dropped: "La Prensa Gráfica" -> "laprensagrafica"."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


def _spelt_by(part: str, host: str) -> int:
    """How well the host spells the name: 2 when the name holds the host's registered name ("Die
    FURCHE" at furche.at, "Welpenkaufen24" at welpenkaufen24.de), 1 when the host only holds the
    name ("Welpen" there; "LN" at ln-online.de), 0 when the host does not spell it."""
    name = _fold(part)
    labels = [lab for lab in host.split(".")[:-1] if lab not in ("www", "m", "de", "en", "blog", "co", "com")]
    core = _fold("".join(labels[-1:]))      # the registered name: "ln-online" of www.ln-online.de
    whole = _fold(host)
    if not name or not core:
        return 0
    if len(name) >= 3 and ((len(core) >= 4 and core in name) or (len(core) >= 3 and name.startswith(core))):
        return 2
    return int((len(name) >= 3 and name in whole) or (len(name) >= 2 and core.startswith(name) and part.strip().isupper()))


def _address_in(part: str, host: str) -> str:
    """"Rezept von Backen.de" -> "Backen.de": words before the site's own address are the page's."""
    words = part.split()
    for i in range(1, len(words)):
        if _fold(" ".join(words[i:]).removeprefix("www.")) == _fold(host):
            return " ".join(words[i:])
    return part


def _parts(name: str) -> list[str]:
    bare = _SCHEME.sub("", " ".join(name.split())).rstrip("/")
    name = bare[4:] if bare != name.strip() and bare.startswith("www.") else bare     # "https://www.fr.de" -> "fr.de"
    return [p.strip(" :") for p in _SEPARATORS.split(name) if p.strip(" :")]


def _usable(name: str, headlines: tuple[str, ...]) -> bool:
    folded = _fold(name)
    return bool(folded) and not _TEMPLATE.search(name) and len(name.split()) <= MAX_WORDS and not any(
        folded == _fold(h) for h in headlines if h)


def site_name(site: str, publisher: str, title_tag: str, headline: str, url: str) -> str:
    """The page's source: see the module's docstring for the order and why."""
    host = host_of(url)
    headlines = (headline,)      # not the <title>: a home page's title is the site's name
    tail = _parts(title_tag)[-1] if len(_parts(title_tag)) > 1 else ""
    declared = [n for n in (site, publisher, tail) if n and not _TEMPLATE.search(n)]
    spelt = [(_spelt_by(part, host), -i, part) for i, part in enumerate(p for n in declared for p in _parts(n))
             if host and _usable(part, ())]
    best = max(spelt, default=(0, 0, ""))
    if best[0]:                          # the best spelt, the first declared of equals
        return _address_in(best[2], host)
    for name in (site, publisher):
        parts = [p for p in _parts(name or "") if _usable(p, headlines)]
        if parts and _usable(" ".join(_parts(name)), headlines):
            return parts[0]
    return host
