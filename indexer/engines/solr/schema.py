"""A collection's set-up: the configset, its schema's facet fields generated from the facet registry.

Why generated: Solr refuses a document with a field its schema does not declare, and the
configset used to list the facet fields by hand (`org`, `country`, `person` ...), so a facet
registered at run time (`FACETS.register`, indexer/facets/) reached every surface of the Whoosh
engine and none of Solr's: its stories were refused. Now `configset/conf/schema.xml.in` holds
everything but the facets, and `schema_xml()` writes each registered facet's fields where its
FACET_FIELDS marker stands, from the facet's own `schema_fields()`, the description the Whoosh
schema is built from too (index/schema.py): "keyword" a multi-valued indexed string (about,
mention, "kind|value" terms), "value" one indexed and stored string (language, source),
"stored" stored only (the display list, as JSON). `setup` (`newsfacet setup`) uploads the
result and creates the collection, or reloads it (a schema may gain fields under a collection's
stories); a collection whose schema predates a facet is found out before an index run sends
anything (`missing`), instead of Solr refusing its first batch.
"""
from __future__ import annotations

import fnmatch
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from indexer.facets import FACETS

CONFIGSET_DIR = Path(__file__).with_name("configset") / "conf"
TEMPLATE = CONFIGSET_DIR / "schema.xml.in"
MARKER = "<!-- FACET_FIELDS -->"
# what a facet's field keeps (facets.Facet.schema_fields) -> its Solr declaration
DECLARATIONS = {
    "keyword": 'type="string" indexed="true" stored="false" multiValued="true"',
    "value": 'type="string" indexed="true" stored="true"',
    "stored": 'type="string" indexed="false" stored="true" docValues="false"',
}
# written with every story whether or not a facet counts them (indexing.to_solr; the story page
# reads them), declared as the facets declare them when no facet does (index/schema.py: `source`)
ALWAYS = {"source": "value", "language": "value"}
_NAMED = re.compile(r'<(?:field|dynamicField)\s+name="([^"]+)"')


def facet_fields() -> dict[str, tuple[str, str]]:
    """Field name -> (what it keeps, the facet's parameter) for every registered facet, in panel order."""
    out: dict[str, tuple[str, str]] = {}
    for spec in FACETS:
        for name, what in spec.schema_fields().items():
            out.setdefault(name, (what, spec.param))
    return out


def _declarations() -> list[str]:
    fields = facet_fields()
    lines = [f'<field name={quoteattr(name)} {DECLARATIONS[what]}/>   <!-- facet {param} -->'
             for name, (what, param) in fields.items()]
    lines += [f'<field name={quoteattr(name)} {DECLARATIONS[what]}/>'
              for name, what in ALWAYS.items() if name not in fields]
    return lines


@FACETS.derived
def schema_xml() -> str:
    """schema.xml as uploaded: the template with the registry's facet fields in place of the marker.
    A facet field named like a field of the template is an error here, not a refused upload."""
    template = TEMPLATE.read_text(encoding="utf-8")
    fixed = set(_NAMED.findall(template))
    clash = sorted(fixed & set(facet_fields()) | fixed & set(ALWAYS))
    if clash:
        raise ValueError(f"facet field(s) {', '.join(clash)} named like a field of Solr's schema ({TEMPLATE.name})")
    indent = template[:template.index(MARKER)].rsplit("\n", 1)[-1]
    return template.replace(MARKER, ("\n" + indent).join(_declarations()), 1)


def missing(client) -> list[str]:
    """The registered facets' fields the collection's schema does not declare (nor a dynamic field
    of it matches): its configset was uploaded before those facets were registered."""
    declared = {f["name"] for f in client.collection("schema/fields").get("fields", [])}
    dynamic = [f["name"] for f in client.collection("schema/dynamicfields").get("dynamicFields", [])]
    return [name for name in facet_fields()
            if name not in declared and not any(fnmatch.fnmatchcase(name, d) for d in dynamic)]


def configset_zip() -> bytes:
    """The configset folder as the Configsets API takes it, schema.xml generated (`schema_xml`)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(CONFIGSET_DIR.iterdir()):
            if p.is_file() and p != TEMPLATE:
                z.write(p, p.name)
        z.writestr("schema.xml", schema_xml())
    return buf.getvalue()


def setup(client, shards: int = 2, replicas: int = 2, configset: str | None = None) -> str:
    """Upload NewsFacet's configset and create the collection, or reload it when it exists (its
    stories stay; fields the schema gained apply to what is indexed next); what was done, for the user."""
    name = configset or client.url.collection
    client.request("admin/configs", {"action": "UPLOAD", "name": name, "overwrite": "true", "cleanup": "true"},
                   configset_zip(), content_type="application/octet-stream")
    existing = client.request("admin/collections", {"action": "LIST"}).get("collections", [])
    if client.url.collection in existing:
        client.request("admin/collections", {"action": "RELOAD", "name": client.url.collection}, timeout=120)
        return f"configset '{name}' uploaded; collection '{client.url.collection}' existed and was reloaded"
    client.request("admin/collections", {
        "action": "CREATE", "name": client.url.collection, "numShards": shards, "replicationFactor": replicas,
        "collection.configName": name, "waitForFinalState": "true"}, timeout=180)
    return (f"configset '{name}' uploaded; collection '{client.url.collection}' created with {shards} "
            f"shard(s) x {replicas} replica(s)")
