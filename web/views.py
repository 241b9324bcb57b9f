"""Routes: translate HTTP to `indexer.search` and back, nothing more.

`search_data` is the one data function behind both `GET /` and `GET /api/search`:
the DESIGN.md result object, plus ready-made links (each facet value's
`toggle_url`, each hit's `doc_url`, the active filters with their `remove_url`),
so the template only lays out what it is given and the JSON API carries the same.
"""
from __future__ import annotations

import datetime as _dt
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from indexer.search import (DATE, DEFAULT_MATCH, EXCLUDE_PREFIX, FACETS, MAX_QUERY_CHARS, SORTS, SearchParams,
                            language_label, parse_request)

from . import urls
from .archive import get_archive

bp = Blueprint("views", __name__)


# What the views derive from the facet registry (facets.FACETS, its date facet), as it is now.
@FACETS.derived
def facet_param() -> dict[str, str]:
    """Facet key in results -> URL parameter that selects one of its values."""
    return {DATE.name: DATE.param, **{f.name: f.param for f in FACETS}}


@FACETS.derived
def facet_titles() -> dict[str, str]:
    return {DATE.name: DATE.title, **{f.name: f.title for f in FACETS}}


@FACETS.derived
def filter_titles() -> dict[str, str]:
    """Parameter -> the title of its chip among the filters in force."""
    return {**{f.param: f.title for f in FACETS}, **{EXCLUDE_PREFIX + f.param: f"Not {f.title}" for f in FACETS},
            **DATE.filter_titles}


@FACETS.derived
def chip_param() -> dict[str, str]:
    """A hit's chips (key in the hit) -> the parameter their link sets."""
    return {f.plural: f.param for f in FACETS.with_chips_on_hits()}


@FACETS.derived
def hit_chip_layout() -> dict:
    """How the page lays out a hit's chips: per facet its key, CSS class and the list's label."""
    specs = FACETS.with_chips_on_hits()
    return {"facets": [{"key": f.plural, "css": f.param} for f in specs],
            "label": (", ".join(f.plural for f in specs) + " and language of this story").capitalize()}


MATCH_LABELS = {"about": "Stories about", "mention": "Any mention"}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}
FACET_SHOWN = 8        # values shown before "more"
MAX_BACK_CHARS = 4000


# ---------------------------------------------------------------- data

def search_data(args, api: bool = False, asked: SearchParams | None = None) -> dict:
    """Validate, search and decorate with links; raises QueryError / IndexNotFound."""
    asked = asked or SearchParams.parse(args)
    result = get_archive().search(asked)
    # "country=Brazil" is BR from here on: chips, toggles and links use the value the index holds
    req = result.params or asked          # (Oceania: its 4 sub-regions)
    data = result.to_dict()
    data["per_page"] = req.per_page
    base = url_for("views.api_search") if api else url_for("views.search_page")
    back = req.to_query()
    # on a page, a facet link lands on the results (on a phone they are above the panel: issue 14)
    land = "" if api else "#results"
    chosen = set(req.to_pairs())
    for name, values in data["facets"].items():
        param = facet_param().get(name, name)
        for fv in values:
            if name == DATE.name and fv["label"] == fv["value"]:
                fv["label"] = date_label(fv["value"])
            fv["selected"] = bool(fv.get("selected")) or (param, fv["value"]) in chosen
            fv["toggle_url"] = req.toggle(param, fv["value"]).href(base) + land
            if name == DATE.name and ".." in fv["value"] and not fv["count"]:
                fv["gap"] = True                 # a collapsed empty stretch: shown, not a link
            if name != DATE.name:
                fv["exclude_url"] = req.toggle_exclude(param, fv["value"]).href(base) + land
    for hit in data["hits"]:
        hit["doc_url"] = doc_url(hit["id"], req.q, None if api else back, api)
        for version in hit.get("versions") or []:
            version["doc_url"] = doc_url(version["id"], req.q, None if api else back, api)
        for key, param in chip_param().items():
            for ref in hit.get(key) or []:
                ref["filter_url"] = req.with_filter(param, ref["value"]).href(base)
        if hit.get("language"):
            hit["language_label"] = language_label(hit["language"])
            hit["language_url"] = req.with_filter("language", hit["language"]).href(base)
    data["filters"] = active_filters(req, data["facets"], base)
    for spec in FACETS.kinded():          # "org_kinds": the organisation facet's
        data[f"{spec.param}_kinds"] = kind_links(req, spec, req.kinds.get(spec.param, ""), base)
    data["match_links"] = [{"value": m, "label": label, "selected": m == req.match,
                            "url": req.with_("match", None if m == DEFAULT_MATCH else m).href(base)}
                           for m, label in MATCH_LABELS.items()]
    data["facet_views"] = facet_views(req, base)
    data["date_presets"] = date_presets(req, data.get("newest"), base)
    data["date_up"] = date_up(req, base)
    # a query that found nothing shows its correction's stories: the feed and exports follow those
    shown = data.get("showing_results_for")
    data.update(follow_links(req.with_("q", shown) if shown else req, base))
    data["search_instead_url"] = req.with_("correct", "off").href(base) if shown else None
    data["suggestion_url"] = (req.with_("q", data["suggestion"]).with_("correct", None).href(base)
                              if data.get("suggestion") else None)
    page, pages = data["page"], data["pages"]
    data["prev_url"] = req.with_("page", page - 1).href(base) if 1 < page <= pages + 1 else None
    data["next_url"] = req.with_("page", page + 1).href(base) if page < pages else None
    return data


def kind_links(req: SearchParams, spec, current: str, base: str) -> list[dict]:
    """Links that narrow a facet to one kind of its values (or show all kinds): `org_kind=government`.
    Each link writes the facet's first kind parameter, having dropped every other name of it."""
    first, *others = spec.kind_params
    for name in others:
        if req.has(name):
            req = req.without(name)
    return [{"value": kind, "label": label, "selected": kind == current,
             "url": req.with_(first, kind or None).href(base)}
            for kind, label in spec.kinds]


def facet_views(req: SearchParams, base: str) -> dict:
    """Per facet: the text it is filtered by and links that sort it by count or by name."""
    out = {}
    for f in FACETS:
        key, find = urls.SORT_PREFIX + f.param, urls.FIND_PREFIX + f.param
        current = req.facet_sort.get(f.param, "count")
        out[f.name] = {
            "find": req.facet_find.get(f.param, ""), "find_param": find,
            "sort": current,
            "sorts": [{"value": v, "label": "by count" if v == "count" else "A–Z", "selected": v == current,
                       "url": req.with_(key, None if v == "count" else v).href(base)}
                      for v in ("count", "name")],
            "clear_find_url": req.without(find).href(base),
            "hidden": [(k, v) for k, v in req.to_pairs() if k not in (find, "page")],
        }
    return out


def follow_links(req: SearchParams, base: str) -> dict:
    """The feed and the exports of this search, and the link that groups versions or lists each."""
    whole = req.keep(lambda k, v: k not in ("page", "per_page"))
    grouped = not req.has("group", "off")
    return {
        "feed_url": whole.keep(lambda k, v: k != "sort").href(url_for("feeds.feed")),
        "export_csv_url": whole.href(url_for("export.export_csv")),
        "export_jsonl_url": whole.href(url_for("export.export_jsonl")),
        "group_url": req.with_("group", "off" if grouped else None).href(base),
    }


def doc_url(doc_id: str, q: str, back: str | None, api: bool = False) -> str:
    url = url_for("views.api_doc" if api else "views.story", doc_id=doc_id)
    extra = [(k, v) for k, v in (("q", q), ("back", back)) if v]
    return f"{url}?{urlencode(extra)}" if extra else url


def active_filters(req: SearchParams, facets: dict, base: str) -> list[dict]:
    """Chips for the filters in force, each with the link that removes it."""
    labels = {(facet_param().get(name, name), fv["value"]): fv["label"]
              for name, values in facets.items() for fv in values}
    labels.update({(EXCLUDE_PREFIX + p, v): label for (p, v), label in list(labels.items())})
    out = []
    for param, value in req.to_pairs():
        if param not in filter_titles():
            continue
        label = labels.get((param, value)) or (date_label(value, long=True) if param == DATE.param else value)
        out.append({"param": param, "title": filter_titles()[param], "value": value, "label": label,
                    "excluded": param.startswith(EXCLUDE_PREFIX),
                    "remove_url": req.without(param, value).href(base)})
    return out


def date_label(value: str, long: bool = False) -> str:
    """A date bucket's label (the date facet's: '1987-03' -> 'Mar 1987', long: 'March 1987')."""
    return DATE.label(value, long)


DATE_PRESETS = (("Last 7 days", 7), ("Last 30 days", 30), ("Last year", 365))


def date_presets(req: SearchParams, newest: str | None, base: str) -> list[dict]:
    """Ranges counted back from the newest story in the index (an archive's "today")."""
    if not newest:
        return []
    end = _dt.date.fromisoformat(newest)
    out = []
    for label, days in DATE_PRESETS:
        start = (end - _dt.timedelta(days=days - 1)).isoformat()
        chosen = req.has("from", start) and req.has("to", end.isoformat())
        p = req.without("date").with_("from", start).with_("to", end.isoformat())
        out.append({"label": label, "from": start, "to": end.isoformat(), "selected": chosen,
                    "url": (req.without("from").without("to") if chosen else p).href(base)})
    return out


def date_up(req: SearchParams, base: str) -> dict | None:
    """From a day to its month, from a month to its year (the drill-down's way back up)."""
    chosen = req.get("date")
    if len(chosen) == 10 and ".." not in chosen:
        return {"label": date_label(chosen[:7], long=True), "url": req.with_("date", chosen[:7]).href(base)}
    if len(chosen) == 7 and ".." not in chosen:
        return {"label": chosen[:4], "url": req.with_("date", chosen[:4]).href(base)}
    return None


def page_links(req: SearchParams, page: int, pages: int, width: int = 2) -> list[dict]:
    """Page numbers around the current one, with the first and last, gaps as None."""
    shown = sorted({1, pages, *range(max(1, page - width), min(pages, page + width) + 1)})
    out, last = [], 0
    for n in shown:
        if n - last > 1:
            out.append(None)
        out.append({"n": n, "url": req.with_("page", n if n > 1 else None).href(), "current": n == page})
        last = n
    return out


def sort_links(req: SearchParams, current: str, has_query: bool) -> list[dict]:
    """Relevance only means something for a text query; without one it is newest first."""
    return [{"value": s, "label": SORT_LABELS[s], "current": s == current,
             "url": req.with_("sort", None if s == "relevance" else s).href()}
            for s in SORTS if has_query or s != "relevance"]


def form_state(args, params: urls.Params) -> dict:
    """What the search and date forms must carry so that submitting keeps the rest."""
    q = args.get("q", "")[: MAX_QUERY_CHARS + 1]
    keep = [(k, v) for k, v in params if k not in ("q", "page")]
    return {"q": q, "hidden": keep,
            "date_hidden": [(k, v) for k, v in params if k not in ("from", "to", "date", "page")],
            "from": args.get("from", "")[:10], "to": args.get("to", "")[:10]}


def back_params(raw: str) -> urls.Params:
    """The search a story was opened from, reduced to known parameters."""
    return urls.search_params(parse_qsl(raw[:MAX_BACK_CHARS]))


# ---------------------------------------------------------------- HTML

@bp.get("/")
def search_page():
    asked = SearchParams.parse(request.args)      # the links of the page's frame keep the names as typed
    params = asked.to_pairs()
    form = form_state(request.args, params)
    data = search_data(request.args, asked=asked)
    granular_dates = data["facets"].get("date") or []
    context = {
        "data": data, "form": form, "params": params,
        "facet_titles": facet_titles(), "facet_shown": FACET_SHOWN, "facet_names": [f.name for f in FACETS],
        "facet_params": {f.name: f.param for f in FACETS}, "hit_chips": hit_chip_layout(),
        "sorts": sort_links(asked, data.get("sort") or "relevance", bool(data["query"])),
        "last_page_url": asked.with_("page", data["pages"] if data["pages"] > 1 else None).href(),
        "page_links": page_links(asked, data["page"], data["pages"]) if data["pages"] > 1 else [],
        "date_max": max((fv["count"] for fv in granular_dates), default=0),
        "all_dates_url": asked.without("date").href() if asked.has("date") else None,
        "clear_url": asked.keep(lambda k, v: k in ("q", "sort")).href(),
        # an index of 0 stories (an empty folder was indexed) says what to do next, not "nothing matches"
        "empty_archive": not data["total"] and get_archive().document_count() == 0,
    }
    return render_template("search.html", **context)


def whole_story(doc_id: str) -> Response:
    """A long story's whole text as plain text: no markup to build, nothing to escape."""
    found = get_archive().story_text(doc_id)
    if found is None:
        abort(404, f"There is no story with the id “{doc_id[:200]}”.")
    title, body = found
    return Response(f"{title}\n\n{body}\n", content_type="text/plain; charset=utf-8")


def whole_url(doc_id: str) -> str:
    return url_for("views.story", doc_id=doc_id, whole=1)


@bp.get("/doc/<docid:doc_id>")
def story(doc_id: str):
    if request.args.get("whole"):
        return whole_story(doc_id)
    q = parse_request({"q": request.args.getlist("q")}).q
    back = back_params(request.args.get("back", ""))
    found = get_archive().story(doc_id, q)
    if found is None:
        abort(404, f"There is no story with the id “{doc_id[:200]}”.")
    chips = [{"title": f.title, "plural": f.plural, "css": f.name,
              "refs": [{"label": r.label, "url": urls.href([(f.param, r.value)])}
                       for r in found.chips.get(f.plural) or []]}
             for f in FACETS.with_chips_on_stories()]
    return render_template("story.html", story=found, q=q, chips=[c for c in chips if c["refs"]],
                           whole_url=whole_url(doc_id),
                           language_label=language_label(found.language) if found.language else "",
                           language_url=urls.href([("language", found.language)]),
                           back_url=urls.href(back) if back else None)


# ---------------------------------------------------------------- JSON

@bp.get("/api/search")
def api_search():
    return jsonify(search_data(request.args, api=True))


@bp.get("/api/doc/<docid:doc_id>")
def api_doc(doc_id: str):
    q = parse_request({"q": request.args.getlist("q")}).q
    found = get_archive().story(doc_id, q)
    if found is None:
        abort(404, f"There is no story with the id {doc_id[:200]!r}.")
    data = found.to_dict()
    data["whole_url"] = whole_url(doc_id) if found.truncated else None
    return jsonify(data)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok", **get_archive().health()})      # never waits for a search
