"""Organisations and countries named in a story, as canonical values for the facets.

CONTRACT (other modules rely on it; implementation owned by the entities work):

    Country(code, name)                 # ISO 3166-1 alpha-2, or ISO 3166-3 for former countries (SUHH ...)
    Organisation(name, acronym, kind)   # kind: intergovernmental | government | company | news agency | other
        .key -> facet value (acronym if any, else name)
    Entities(countries, organisations, regions)
    extract(title, body, dateline="") -> Entities
    find_country(text) -> Country | None          # "Brazil", "br", "U.S." -> Country (for `country:` queries)
    find_organisation(text) -> Organisation | None  # "unicef", "World Bank" -> Organisation

Never touches files (other than its own data files) or the index.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Country:
    code: str
    name: str


@dataclass(frozen=True)
class Organisation:
    name: str
    acronym: str | None = None
    kind: str = "intergovernmental"

    @property
    def key(self) -> str:
        return self.acronym or self.name


@dataclass
class Entities:
    countries: list[Country] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)


def extract(title: str, body: str, dateline: str = "") -> Entities:
    raise NotImplementedError


def find_country(text: str) -> Country | None:
    raise NotImplementedError


def find_organisation(text: str) -> Organisation | None:
    raise NotImplementedError
