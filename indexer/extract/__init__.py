"""Extract: what a story names — organisations, companies, people, countries, regions, its language
and dateline — as canonical facet values, each decision explainable (`explain`).

Rules in code, their word lists in `data/`; nothing here touches Whoosh, files of the index or the
query side, so the extractor can be run, tested and evaluated on plain text (`newsfacet entities`).
"""
