"""Each near-duplicate group shown once in a SolrCloud search, as `collapse.Collapsed` does on Whoosh.

The groups are formed when the collection is indexed (engines/solr/groups.py: `dup_group`, the
Whoosh path's MinHash groups, 0 for a story alone). A search then needs three things, each from
what Solr returns, so that totals, pages and versions equal Whoosh's:

- how many groups it matched (`SearchResult.groups`, which pages count): one terms facet over
  `dup_group` in the search's own request gives each group's matched stories; the stories with
  no versions count one each, a group once. Its cost is one bucket per matched group (a few per
  cent of the matches), as Whoosh's collapse is numpy work over the matched stories with versions.
- the page: the ranked list with every story after its group's best-ranked one left out. Solr's
  collapse query parser cannot do it (it collapses within a shard, and a group's stories are on
  several), so the ranked ids are read from the top, a window at a time (id, group, score only),
  and skipped here; stories whose group has no other match are never skipped, so the window is
  read only when the facet says the matches hold versions.
- the versions listed under a hit: one request for the page's groups within the same matches,
  in the same order (best first, at most MAX_VERSIONS each, their count exact).
"""
from __future__ import annotations

from .collapse import MAX_VERSIONS
from .request import Version

FACET = "groups__"                    # the JSON facet counting matched stories per group
FIRST_WINDOW = 50                     # ranked ids read first; doubled until the page is filled
STORY_VERSIONS = 20                   # versions listed on a story's page (hits.story)


def ids_filter(ids: list[str]) -> str:
    """A filter matching these ids exactly (a separator no id holds: feed ids may hold commas)."""
    return "{!terms f=id separator='\u001f'}" + "\u001f".join(ids)


def as_version(d: dict) -> Version:
    """A story Solr returned (id, title, date) as a listed version or related story."""
    return Version(id=d["id"], title=d.get("title", ""), date=(d.get("date") or "")[:10] or None)


def facet() -> dict:
    return {"type": "terms", "field": "dup_group", "limit": -1, "mincount": 1, "sort": "index"}


class Matched:
    """A search's groups, from the `FACET` buckets: {group: matched stories} of groups with versions."""

    def __init__(self, total: int, got: dict):
        self.sizes = {int(b["val"]): int(b["count"]) for b in got.get(FACET, {}).get("buckets", [])
                      if int(b["val"])}
        self.total = total
        self.with_versions = sum(self.sizes.values())
        self.count = total - self.with_versions + len(self.sizes)      # groups shown

    def page(self, select, base: dict, sort: str, offset: int, limit: int) -> list[tuple[str, float | None]]:
        """(id, score) of the page's hits: the best-ranked matched story of each group, in order."""
        want = offset + limit
        window = min(self.total, max(FIRST_WINDOW, 2 * want))
        while True:
            res = select({**base, "offset": 0, "limit": window, "fields": "id,dup_group,score", "sort": sort})
            shown, seen = [], set()
            docs = res["response"]["docs"]
            for d in docs:
                g = int(d.get("dup_group") or 0)
                if g and g in self.sizes:
                    if g in seen:
                        continue
                    seen.add(g)
                shown.append((d["id"], d.get("score")))
                if len(shown) >= want:
                    break
            if len(shown) >= want or window >= self.total or len(docs) < window:
                return shown[offset:want]
            window = min(self.total, window * 2)

    def page_docs(self, select, base: dict, sort: str, offset: int, limit: int, docs: list[dict],
                  fields: str) -> list[dict]:
        """The page's documents, each group's best-ranked story only, with their scores: `docs` (what the
        search's own request returned at the offset) where they are on the collapsed page, the stored
        `fields` of the others read by id."""
        chosen = self.page(select, base, sort, offset, limit)
        have = {d["id"]: d for d in docs}
        missing = [i for i, _ in chosen if i not in have]
        if missing:
            got = select({"query": "*:*", "filter": [ids_filter(missing)], "limit": len(missing),
                          "fields": fields + ",dup_group"})
            have.update((d["id"], d) for d in got["response"]["docs"])
        return [{**have[i], "score": score} for i, score in chosen if i in have]

    def versions(self, select, base: dict, sort: str, hits: list[tuple[str, int]]) -> dict[str, tuple[list[dict], int]]:
        """hit id -> (its group's other matched stories, best first, at most MAX_VERSIONS; their count)."""
        wanted = {g for _, g in hits if g in self.sizes}
        if not wanted:
            return {}
        rows = sum(self.sizes[g] for g in wanted)
        res = select({**base, "filter": base.get("filter", []) + [
            "{!terms f=dup_group}" + ",".join(str(g) for g in sorted(wanted))],
            "offset": 0, "limit": rows, "fields": "id,title,date,dup_group", "sort": sort})
        members: dict[int, list[dict]] = {}
        for d in res["response"]["docs"]:
            members.setdefault(int(d.get("dup_group") or 0), []).append(d)
        out = {}
        for doc_id, g in hits:
            others = [d for d in members.get(g, []) if d["id"] != doc_id]
            out[doc_id] = (others[:MAX_VERSIONS], len(others))
        return out


def story_versions(client, doc_id: str, group: int) -> list[dict]:
    """The other stories of a story's group, in indexing order (Whoosh lists them by docnum)."""
    if not group:
        return []
    res = client.select({"q": f"dup_group:{int(group)}", "rows": STORY_VERSIONS + 1, "fl": "id,title,date",
                         "sort": "seq asc"})
    return [d for d in res["response"]["docs"] if d["id"] != doc_id][:STORY_VERSIONS]
