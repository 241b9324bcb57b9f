"""Feed URLs and feed lists in `newsfacet --engine solr://… index`: the Whoosh path's feed following.

What is fetched, and how, is `feeds.follow`'s, the function the Whoosh indexer calls: the same
fetch policy and conditional requests (ETag, Last-Modified), the same items kept or rewritten
(an item whose fingerprint is unchanged is not sent again), articles fetched with
`--fetch-articles`, a broken feed named and the rest indexed, and a feed taken off its list
taking its stories with it (`feeds.dropped`, through the run's plan: index/plan.py). The stories are then prepared and sent like any
file's (indexing.py), with `path` the feed's URL as on Whoosh.

Why the feed manifest lives in the stories: the collection is the only state an engine run has
(any machine may run the next one, as for files: indexing.manifest). Each story of a feed holds
the feed's URL (`feed`, indexed) and, stored, its item fingerprint and the feed's state when the
story was written (`feed_state`: ETag, Last-Modified, the list that names it). The manifest is
read back from them: a feed's ids and fingerprints from its stories, its state from the one
written last. A feed that answers 200 with nothing new writes no story, so its stored state
stays that of its last new item: the next run's conditional request may then get the whole feed
again instead of a 304, which costs a download and changes nothing.

Not as on Whoosh: the fetched copy. The Whoosh path keeps everything it fetches beside the index
(read/fetched.py) so that `--rebuild` replays feeds; an engine run keeps no local files, so a
rebuild fetches the feeds again, and items that have left a feed are not brought back.
"""
from __future__ import annotations

import json

from indexer.index.feeds import FeedRun, follow as follow_feeds

FIELD = "feed"               # the feed a story came from (indexed: its stories are found and deleted by it)
STATE = "feed_state"         # stored: {"hash", "etag", "last_modified", "list"} when the story was written
READ_CHUNK = 10_000


class NoCopy:
    """`FetchArchive`'s calls (feeds.follow keeps each answer there); an engine run keeps no copy."""

    def add(self, kind: str, url: str, data: bytes, headers) -> None:
        pass

    def close(self) -> None:
        pass

    def discard(self) -> None:
        pass


def manifest(client) -> dict[str, dict]:
    """{feed URL: the Whoosh manifest's entry for it}, read from the collection's feed stories."""
    out: dict[str, dict] = {}
    last: dict[str, int] = {}
    cursor = "*"
    while True:
        res = client.select({"q": f"{FIELD}:[* TO *]", "rows": READ_CHUNK, "sort": "id asc", "cursorMark": cursor,
                             "fl": f"id,seq,{FIELD},{STATE}"})
        for d in res["response"]["docs"]:
            url, state = d[FIELD], json.loads(d.get(STATE) or "{}")
            entry = out.setdefault(url, {"feed": True, "ids": [], "hashes": {}, "list": "", "etag": "",
                                         "last_modified": ""})
            entry["ids"].append(d["id"])
            entry["hashes"][d["id"]] = state.get("hash", "")
            if int(d.get("seq", 0)) >= last.get(url, -1):       # the feed's state when last written
                last[url] = int(d.get("seq", 0))
                entry.update(list=state.get("list", ""), etag=state.get("etag", ""),
                             last_modified=state.get("last_modified", ""))
        nxt = res.get("nextCursorMark", cursor)
        if nxt == cursor or not res["response"]["docs"]:
            break
        cursor = nxt
    for entry in out.values():
        entry["ids"].sort()
    return out


def story_fields(entry: dict, doc_id: str, url: str) -> dict:
    """What a feed story carries besides its own fields (see the module docstring)."""
    state = {"hash": entry.get("hashes", {}).get(doc_id, ""), "etag": entry.get("etag", ""),
             "last_modified": entry.get("last_modified", ""), "list": entry.get("list", "")}
    return {FIELD: url, STATE: json.dumps(state, ensure_ascii=False)}


def follow(known: dict[str, dict], to_follow: list[tuple[str, str]], fetcher, fetch_articles: bool,
           problem, report) -> list[tuple]:
    """Fetch the feeds; [(Document, feed URL, its extra fields)] to send. `known`: the feed entries
    (`manifest`) of the run's plan, which also names the feeds taken off a list (indexing.py deletes
    their stories)."""
    owner = {i: url for url, e in known.items() for i in e["ids"]}
    run = FeedRun([], fetcher, fetch_articles, NoCopy())
    items = follow_feeds(to_follow, known, owner, run, problem, report)
    return [(d, url, story_fields(known[url], d.id, url)) for d, url in items]
