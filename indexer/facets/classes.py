"""The kinds of value facet besides the base one (base.Facet: organisations, countries).

- `NamedFacet`: the value is its own name, or a function names it (companies, people): labels are
  not read from the stories.
- `StoryOnlyFacet`: chips on the story page, not on every hit (regions: derived from countries).
- `KindedFacet`: values have kinds (organisations: intergovernmental, government, ...); the facet
  can be narrowed to one kind with `kind_<param>`, counted per kind ("kind|value" terms).
- `SingleValueFacet`: one value a story, stored in its own field, no mention variant, no chips
  (language, source); exported as one cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import ONE_VALUE_COLUMNS, Facet


@dataclass(frozen=True)
class NamedFacet(Facet):
    """Labels are the values themselves or come from `label`: nothing to read from the stories."""

    stored_labels: ClassVar[bool] = False

    def label_of(self, value: str) -> tuple[str, str, str] | None:
        """(label, "", kind) from `label`; None without one (the value, or a name table, names it)."""
        return (self.label(value), "", self.kind) if self.label else None


@dataclass(frozen=True)
class StoryOnlyFacet(Facet):
    """Chips on the story page only: a hit already shows the values they derive from."""

    on_hits: ClassVar[bool] = False


@dataclass(frozen=True)
class KindedFacet(Facet):
    """Values of several kinds, each story saying which kind a value has in it.

    One value can have different kinds in different stories (ICC: a government commission in some, an
    intergovernmental body in others), so the index also holds "kind|value" terms in `<param>_kind`
    (and `<param>_kind_any`), and the facet narrowed to a kind counts those (query/kinds.py). The
    parameter is `kind_<param>`; `kind_aliases` are older names still accepted (`org_kind`), the
    first of them written in links so that links stay as they were.
    """

    kinds: tuple[tuple[str, str], ...] = ()     # (kind, label) offered as links; ("", "All") first
    accepted_kinds: tuple[str, ...] = ()        # every kind a URL may name, when more than the links offer
    kind_aliases: tuple[str, ...] = ()

    @property
    def kind_field(self) -> str:
        return f"{self.param}_kind"

    @property
    def kind_param(self) -> str:
        return f"kind_{self.param}"

    @property
    def kind_params(self) -> tuple[str, ...]:      # type: ignore[override]
        """Every parameter name that narrows this facet to a kind, the one links write first."""
        return tuple(dict.fromkeys((*self.kind_aliases[:1], self.kind_param, *self.kind_aliases)))

    def kind_choices(self) -> tuple[str, ...]:
        return self.accepted_kinds or tuple(k for k, _ in self.kinds if k)


@dataclass(frozen=True)
class SingleValueFacet(NamedFacet):
    """One value a story (its language, its source): kept in its own stored field, counted as is."""

    export_at: int = ONE_VALUE_COLUMNS
    mentions: ClassVar[bool] = False
    single: ClassVar[bool] = True
    on_hits: ClassVar[bool] = False

    def index_fields(self, doc, ents) -> dict:
        items = self.values(doc, ents)
        return {self.field: items[0]["value"]} if items else {}

    def schema_fields(self) -> dict[str, str]:
        return {self.field: "value"}

    def chips(self, stored: dict, match: str = "mention") -> list[dict]:
        return []

    def story_chips(self, stored: dict) -> dict:
        return {}

    def export_columns(self) -> tuple[str, ...]:
        return (self.param,)

    def export_cells(self, stored: dict, match: str) -> dict:
        return {self.param: stored.get(self.field, "") or ""}
