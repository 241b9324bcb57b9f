"""A facet as a small class: the base, a multi-valued facet with about/mention values and stored labels.

Why classes and not a record of flags: a facet's behaviour used to be switched elsewhere by five
booleans (`single`, `mentions`, `stored_labels`, `on_hits`, `appended`), each tested in several
modules. Now a facet *is* of a kind (Datasette's `facets.py`: ColumnFacet, ArrayFacet, DateFacet),
and the surfaces ask it: `index_fields` and `schema_fields` (the index), `chips` (hits, the story
page, feeds), `export_cells` (CSV and JSON Lines), `label_of` (labels not stored with the stories),
`kind_params` (values that have kinds). The class attributes below are what a kind of facet is;
the surfaces read them, never a per-facet flag.

A facet may have two strengths of tagging (issue 14): what a story is *about* (the salience rules)
and every reliable *mention*. Both are indexed: `field` holds the about values, `mention_field`
every mention; a request's `match` (about | mention) picks which one filters and counts. The stored
`display` field keeps every mentioned value once, with its label and `"about": false` when the story
only mentions it, so the hits show the chips of the strength asked for without a second stored list.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

MATCHES = ("mention", "about")
# Default: every story that names a body or a country. A journalist filtering by the IMF expects every
# story in which the IMF appears (issue 14: "debt" + IMF + Mexico found 2 stories, the words 29);
# "Stories about" narrows to the salience rules when the list is too long.
DEFAULT_MATCH = "mention"

# Where a facet's export column goes (issue 22: columns added after the first ones go last, so that
# a spreadsheet built on the old columns keeps working).
FIRST_COLUMNS, ONE_VALUE_COLUMNS, LAST_COLUMNS = 1, 2, 3


def value(value: str, label: str, name: str = "", kind: str = "", about: bool = True) -> dict:
    """One value of a story as the `display` field stores it."""
    item = {"value": value.replace(",", " ").strip(), "label": label}
    if name and name != label:
        item["name"] = name
    if kind:
        item["kind"] = kind
    if not about:                 # stored only when false: most values are what the story is about
        item["about"] = False
    return item


def merge(about: list, mentioned: list, key: Callable, make: Callable) -> list[dict]:
    """Every mentioned value once, in order of mention, flagged whether the story is about it."""
    chosen = {key(x) for x in about}
    seen: dict[str, dict] = {}
    for x in list(about) + list(mentioned):
        k = key(x)
        if k not in seen:
            seen[k] = make(x, k in chosen)
    return list(seen.values())


@dataclass(frozen=True)
class Facet:
    """A multi-valued facet of named things: about and mention fields, labels stored with the story,
    chips on the hits and on the story page (organisations, countries)."""

    name: str                     # key in a result's `facets` ("organisation")
    param: str                    # URL and CLI parameter, query-syntax field and Whoosh field ("org")
    title: str                    # shown above the facet and on filter chips ("Organisation")
    display: str = ""             # stored field: the story's values with labels (see module doc)
    values: Callable | None = None    # (Document, Entities) -> [display dicts], about and mentions
    plural: str = ""              # key of a hit's and a story's chips ("organisations"); "" = no chips
    resolve: Callable | None = None   # name, alias or code -> (value, label, long name, kind) or None
    query_aliases: tuple[str, ...] = ()   # other field names the query syntax accepts (`agency:`)
    cli_help: str = ""
    normalise: Callable | None = None     # a written form -> the value it is indexed as ("USX Corp" -> "USX")
    label: Callable | None = None         # value -> label, for a facet whose labels are not stored
    kind: str = ""                # the kind every value has, when the facet has one kind
    export_at: int = LAST_COLUMNS     # where its export column goes (FIRST_COLUMNS ... LAST_COLUMNS)

    # What this kind of facet is (subclasses set them; the surfaces read them)
    mentions: ClassVar[bool] = True       # has a mention variant (`mention_field`)
    single: ClassVar[bool] = False        # one value a story, stored in its field (no display list)
    stored_labels: ClassVar[bool] = True  # labels are read from the stories' display lists
    on_hits: ClassVar[bool] = True        # its chips show on result hits (the story page shows every one)

    # ------------------------------------------------------------ fields

    @property
    def field(self) -> str:
        """The Whoosh field of the *about* values."""
        return self.param

    @property
    def mention_field(self) -> str:
        """The Whoosh field of every mention (the about field when the facet has no mention variant)."""
        return f"{self.param}_any" if self.mentions else self.param

    def field_for(self, match: str) -> str:
        return self.mention_field if match == "mention" else self.field

    @property
    def kind_field(self) -> str:
        """The field of "kind|value" terms ("" when values have no kinds: see `KindedFacet`)."""
        return ""

    def kind_field_for(self, match: str) -> str:
        """The "kind|value" field of a strength of tagging ("" when values have no kinds)."""
        if not self.kind_field:
            return ""
        return f"{self.kind_field}_any" if match == "mention" and self.mentions else self.kind_field

    def facet_fields(self) -> tuple[str, ...]:
        """The fields whose terms are counted as this facet's values (about, mention)."""
        return tuple(dict.fromkeys((self.field, self.mention_field)))

    def kind_fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for f in (self.kind_field_for("about"), self.kind_field_for("mention")) if f))

    def schema_fields(self) -> dict[str, str]:
        """Field name -> what the index keeps: "keyword" (comma-separated terms), "value" (one stored
        term) or "stored" (stored only). The index maps these to its own field types (schema.py)."""
        out = {f: "keyword" for f in self.facet_fields() + self.kind_fields()}
        if self.display:
            out[self.display] = "stored"
        return out

    # ------------------------------------------------------------ kinds (KindedFacet)

    kind_params: ClassVar[tuple[str, ...]] = ()     # parameters that narrow the facet to one kind

    def kind_choices(self) -> tuple[str, ...]:
        return ()

    # ------------------------------------------------------------ writing

    def index_fields(self, doc, ents) -> dict:
        """The Whoosh fields of one story for this facet (prepare.py)."""
        items = self.values(doc, ents)
        out = {self.display: items, self.field: ",".join(i["value"] for i in items if i.get("about", True))}
        if self.mentions:
            out[self.mention_field] = ",".join(i["value"] for i in items)
        if self.kind_field:
            def kinds(chosen):
                return ",".join(f"{i.get('kind') or 'other'}|{i['value']}" for i in chosen)
            out[self.kind_field_for("about")] = kinds(i for i in items if i.get("about", True))
            if self.mentions:
                out[self.kind_field_for("mention")] = kinds(items)
        return out

    # ------------------------------------------------------------ reading

    def describe(self, value: str) -> tuple[str, str, str]:
        """(label, long name, kind) of a value from the gazetteers; the value itself when unknown."""
        try:
            found = self.resolve(value) if self.resolve else None
        except Exception:            # a gazetteer problem must not break a search: show the raw value
            found = None
        if found is None or found[0] != value:
            return value, "", self.kind
        return found[1], found[2], found[3]

    def label_of(self, value: str) -> tuple[str, str, str] | None:
        """(label, long name, kind) of a value whose label is not stored with the stories; None when the
        stories hold it (the label tables then know it)."""
        return None

    def chips(self, stored: dict, match: str = DEFAULT_MATCH) -> list[dict]:
        """A story's chips of this facet ({"value", "label"}): every mention, or only what it is about."""
        return [{"value": i["value"], "label": i["label"]} for i in (stored.get(self.display) or [])
                if match == "mention" or i.get("about", True)]

    def hit_chips(self, stored: dict, match: str = DEFAULT_MATCH) -> dict[str, list[dict]]:
        """{plural: chips} on a result hit; {} for a facet whose chips are not shown there."""
        return {self.plural: self.chips(stored, match)} if self.plural and self.on_hits else {}

    def story_chips(self, stored: dict) -> dict[str, list[dict]]:
        """{plural: chips} on the story page: every facet that has chips, every mention."""
        return {self.plural: self.chips(stored, "mention")} if self.plural else {}

    def export_columns(self) -> tuple[str, ...]:
        """Its columns in CSV and JSON Lines exports: the hit chips' key, as labels."""
        return (self.plural,) if self.plural and self.on_hits else ()

    def export_cells(self, stored: dict, match: str) -> dict:
        return {self.plural: [c["label"] for c in self.chips(stored, match)]} if self.export_columns() else {}
