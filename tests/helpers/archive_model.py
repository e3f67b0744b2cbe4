"""A generated archive held as plain data: ``files()`` renders it to ``{relative path: text}``.

Used by tests/e2e/test_incremental_property.py. The model only ever describes a valid
archive (wikilinks point at records that cannot be deleted, aliases cannot clash, every
annotation quotes a sentence its article keeps); invalid edits are applied on top of
``files()`` by the test, never stored here. The archive brings its own layouts: templates
that print every field of every record they receive, and assets of its own.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"

FIRST = ["Ada", "Bram", "Cleo", "Dov", "Edda", "Finn", "Gita", "Hugo", "Ines", "Jory", "Kai", "Lena"]
LAST = ["Quill", "Marsh", "Thorne", "Vale", "Wren", "Ashby", "Crane", "Dunmore", "Fell", "Garrow"]
TYPES = ("person", "organisation", "place", "event")
SUFFIX = {"person": "", "organisation": " Council", "place": " Bay", "event": " Inquiry", "outlet": " Post"}
TAGS = ("army", "police", "courts", "budget", "health", "transport")
STORIES = ("strike", "inquiry", "flood", "")
CLAIMS = ("crowd-size", "cost", "")
KINDS = ("note", "context", "correction", "discrepancy")
SHARED = ("The committee heard evidence from residents about the closure of the old harbour road.",
          "Officials said the review would report before the end of the year at the latest.")
PINNED_ARTICLES = 4  # a-000 .. a-003: linked from notes and pages, so never deleted or renamed
PINNED_ENTITIES = ("p-00", "p-01", "daily")

A_FIELDS = ("slug", "title", "outlet", "published", "date_note", "url", "byline", "story", "tags", "source")
A_PAGE_FIELDS = ("body", "body_line")  # on the article's own page only (elsewhere a view holds its ArticleHead)
E_FIELDS = ("slug", "name", "type", "source", "aliases", "owns", "description", "same_as", "date", "notes",
            "notes_line")
N_FIELDS = ("article", "quote", "note", "note_line", "line", "source", "id", "kind", "claim", "value", "which",
            "auto", "anchor")
P_FIELDS = ("slug", "title", "body", "body_line", "source", "order")
M_FIELDS = ("entity", "source", "sentence", "start", "end")

def _dump(var: str, fields: tuple[str, ...]) -> str:
    """Jinja that prints every field of the record ``var``, one ``<dd>`` each."""
    return "<dl>" + "".join(f"<dd>{{{{ {var}.{f} }}}}</dd>" for f in fields) + "</dl>"


DUMP = (f"{{% macro article(a) %}}{_dump('a', A_FIELDS)}{{% if a.body is defined %}}{_dump('a', A_PAGE_FIELDS)}"
        f"{{% endif %}}<p>{{{{ outlet_name(a) }}}} {{{{ note_count(a) }}}} "
        "{{ a.published|date }}</p>{% endmacro %}\n"
        f"{{% macro entity(e) %}}{_dump('e', E_FIELDS)}{{% endmacro %}}\n"
        f"{{% macro note(n) %}}{_dump('n', N_FIELDS)}{{% endmacro %}}\n"
        f"{{% macro page(p) %}}{_dump('p', P_FIELDS)}{{% endmacro %}}\n"
        f"{{% macro mention(m) %}}{_dump('m', M_FIELDS)}{{{{ highlight(m) }}}}{{% endmacro %}}\n")
MACROS = ("{% import '_dump.html' as d with context %}\n"
          "{% macro article_item(a, show_outlet=true) %}<li><a href=\"{{ href(a) }}\">{{ a.title }}</a>"
          "{{ show_outlet }}{{ d.article(a) }}</li>{% endmacro %}\n"
          "{% macro report_card(a) %}<li><a href=\"{{ href(a) }}\">{{ a.title }}</a>{{ d.article(a) }}</li>{% endmacro %}\n"
          "{% macro entity_chip(e, n=none, unit='report') %}<a href=\"{{ href(e) }}\">{{ e.name }}</a> {{ n }} "
          "{{ unit }}{{ d.entity(e) }}{% endmacro %}\n"
          "{% macro kind_label(kind) %}{{ kind|upper }}{% endmacro %}\n")
# Each page template's own context, printed whole (names as the default theme's templates receive them).
MAIN = {
    "article.html": "{{ d.article(article) }}{% if outlet %}{{ d.entity(outlet) }}{% endif %}{{ body }}"
                    "{% for n in annotations %}{{ d.note(n) }}{% endfor %}"
                    "{% for e, n in mentioned %}{{ m.entity_chip(e, n, 'mention') }}{% endfor %}"
                    "{% for a, n in coverage %}{{ n }}{{ m.article_item(a) }}{% endfor %}",
    "entity.html": "{{ d.entity(entity) }}{{ notes }}{% for a in outlet_articles %}{{ m.article_item(a, false) }}{% endfor %}"
                   "{% for a, ms in mentions %}{{ d.article(a) }}{% for x in ms %}{{ d.mention(x) }}{% endfor %}{% endfor %}"
                   "{% for e, n in together %}{{ m.entity_chip(e, n) }}{% endfor %}"
                   "{% for n, a in annotations %}{{ d.note(n) }}{{ d.article(a) }}{% endfor %}",
    "home.html": "{% for a in articles %}{{ m.report_card(a) }}{% endfor %}"
                 "{% for e, n in main_entities %}{{ m.entity_chip(e, n) }}{% endfor %}"
                 "{% for e in timeline %}{{ d.entity(e) }}{% endfor %}",
    "tag.html": "{{ tag }}{% for a in articles %}{{ m.article_item(a) }}{% endfor %}",
    "outlets.html": "{% for o, arts in outlets %}{{ d.entity(o) }}{% for a in arts %}{{ m.article_item(a, false) }}"
                    "{% endfor %}{% endfor %}",
    "entities.html": "{% for typ, label, ents in groups %}{{ typ }} {{ label }}{% for e, n in ents %}{{ n }}"
                     "{{ d.entity(e) }}{% endfor %}{% endfor %}",
    "annotations.html": "{{ total }}{% for k, label, rows in by_kind %}{{ k }} {{ label }}{% for n, a in rows %}"
                        "{{ d.note(n) }}{{ d.article(a) }}{% endfor %}{% endfor %}"
                        "{% for a, ns in by_article %}{{ d.article(a) }}{% for n in ns %}{{ d.note(n) }}{% endfor %}{% endfor %}"
                        "{% for c, rows in claims %}{{ c }}{% for n, a in rows %}{{ d.note(n) }}{% endfor %}{% endfor %}",
    "claim.html": "{{ claim }}{% for n, a in rows %}{{ d.note(n) }}{{ d.article(a) }}{% endfor %}",
    "page.html": "{{ d.page(doc) }}{{ body }}",
}


def template_text(name: str, variant: int) -> str:
    """The archive's own version ``variant`` of a layout file."""
    if name == "_dump.html":
        return DUMP + f"{{% macro marker() %}}v{variant}{{% endmacro %}}\n"
    if name == "_macros.html":
        return MACROS + f"{{# variant {variant} #}}\n"
    if name == "base.html":
        text = (DEFAULT_LAYOUTS / "base.html").read_text(encoding="utf-8")
        return text.replace("<main", f"<p class=\"v\">base v{variant}</p>\n<main", 1)
    head = ("{% extends \"base.html\" %}\n{% import '_dump.html' as d with context %}\n"
            "{% import '_macros.html' as m with context %}\n{% block main %}<div class=\"dump\">")
    return head + f"<p>{name} v{variant} {{{{ d.marker() }}}}</p>" + MAIN[name] + "</div>{% endblock %}\n"


def asset_text(rel: str, variant: int) -> str:
    if rel.endswith(".js"):
        return f"// {rel} v{variant}\ndocument.documentElement.dataset.v = \"{variant}\";\n"
    return f"/* {rel} v{variant} */\nbody {{ margin: {variant}px; }}\n"


def person_name(i: int) -> tuple[str, str]:
    return FIRST[i % len(FIRST)], LAST[(i // len(FIRST) + i) % len(LAST)]


@dataclass
class Archive:
    """What the archive holds. Every collection is keyed by slug (or path)."""

    articles: dict = field(default_factory=dict)   # slug -> dict of front matter + "body": [sentences]
    entities: dict = field(default_factory=dict)   # slug -> dict (+ "dir", "first", "last")
    notes: dict = field(default_factory=dict)      # article slug -> [annotation dicts]
    pages: dict = field(default_factory=dict)      # slug -> dict
    templates: dict = field(default_factory=dict)  # layout name -> variant, or None (the default theme's)
    assets: dict = field(default_factory=dict)     # path under layouts/assets -> variant
    title_variant: int = 0
    counter: int = 0                               # for fresh names, slugs and sentences

    def fresh(self) -> int:
        self.counter += 1
        return self.counter

    def copy(self) -> Archive:
        return copy.deepcopy(self)

    # -- what a body may say ---------------------------------------------------------
    def sentences(self) -> list[str]:
        """Sentences a body edit may add: names, aliases, shared passages, a wikilink to a pinned entity."""
        out = list(SHARED)
        for e in self.entities.values():
            out.append(f"Later {e['name']} was asked about the matter again.")
            out += [f"Asked twice, {alias} declined to comment." for alias in e["aliases"]]
        out.append("The report cites [[p-00]] once more.")
        return out

    def outlets(self) -> list[str]:
        return sorted(s for s, e in self.entities.items() if e["type"] == "outlet")

    def used_outlets(self) -> set[str]:
        return {a["outlet"] for a in self.articles.values()}

    # -- rendering to files -----------------------------------------------------------
    def files(self) -> dict[str, str]:
        out = {"site.yaml": (f"title: Property archive {self.title_variant}\nbase_url: https://example.org/\n"
                             "description: Generated.\n")}
        for slug, a in self.articles.items():
            out[f"content/articles/{slug}.md"] = _article_file(a)
        for slug, e in self.entities.items():
            out[f"content/entities/{e['dir']}/{slug}.md"] = _entity_file(e)
        for slug, anns in self.notes.items():
            if anns:
                out[f"content/annotations/{slug}.md"] = "\n".join(_note_text(n) for n in anns)
        for slug, p in self.pages.items():
            order = f"order: {p['order']}\n" if p["order"] is not None else ""
            out[f"content/pages/{slug}.md"] = f"---\ntitle: {p['title']}\n{order}---\n{p['body']}\n"
        for name, variant in self.templates.items():
            if variant is not None:
                out[f"layouts/{name}"] = template_text(name, variant)
        for rel, variant in self.assets.items():
            out[f"layouts/assets/{rel}"] = asset_text(rel, variant)
        return out


def _article_file(a: dict) -> str:
    lines = ["---", f"title: {a['title']}", f"outlet: {a['outlet']}", f"published: {a['published']}"]
    for key in ("story", "byline", "date_note", "url"):
        if a[key]:
            lines.append(f"{key}: {a[key]}")
    if a["tags"]:
        lines.append(f"tags: [{', '.join(a['tags'])}]")
    return "\n".join(lines) + "\n---\n" + "\n\n".join(a["body"]) + "\n"


def _entity_file(e: dict) -> str:
    lines = ["---", f"name: {e['name']}", f"type: {e['type']}"]
    if e["aliases"]:
        lines.append("aliases: [" + ", ".join(f'"{a}"' for a in e["aliases"]) + "]")
    for key in ("description", "date"):
        if e[key]:
            lines.append(f"{key}: {e[key]}")
    if e["same_as"]:
        lines.append(f"same_as: [{e['same_as']}]")
    return "\n".join(lines) + "\n---\n" + e["notes"] + "\n"


def _note_text(n: dict) -> str:
    attrs = [f".{n['kind']}"] + ([f'claim="{n["claim"]}"', f'value="{n["value"]}"'] if n["claim"] else [])
    return "{" + " ".join(attrs) + "}\n> " + n["quote"] + "\n\n" + n["note"] + "\n"


def openings(n: int) -> tuple[str, str]:
    """The two sentences an article keeps whatever its edits: annotations quote them."""
    return f"Dispatch number {n} begins here.", f"Witness {n} said little more."


def new_article(model: Archive, i: int, n: int) -> dict:
    names = [e["name"] for s, e in sorted(model.entities.items()) if e["type"] != "outlet"]
    body = [*openings(n), f"{names[i % len(names)]} met {names[(i * 7 + 3) % len(names)]} on the day."]
    if i % 9 == 0:
        body.append(SHARED[i % len(SHARED)])
    if i % 13 == 0:
        body.append("See also [[p-01]] on this.")
    outlets = model.outlets()
    return {"title": f"Report {n}", "outlet": outlets[i % len(outlets)], "published": f"2023-{9 + i % 3:02}-{1 + i % 28:02}",
            "story": STORIES[i % len(STORIES)], "tags": list(TAGS[i % 4:i % 4 + i % 3]), "byline": f"Writer {i % 5}" if i % 2 else "",
            "date_note": "Dated by the wire." if i % 11 == 0 else "", "url": f"https://news.example/{n}" if i % 3 else "",
            "body": body, "n": n}


def new_entity(model: Archive, typ: str) -> tuple[str, dict]:
    i = model.fresh()
    first, last = person_name(i)
    name = (f"{first} {last}" if typ == "person" else f"{first} {last}{SUFFIX[typ]}")
    return f"x-{i:03}", {"name": name, "type": typ, "aliases": [], "description": "", "date": "", "same_as": "",
                         "notes": "", "dir": typ + "s", "first": first, "last": last}


def generated(articles: int = 160) -> Archive:
    """The starting archive: three outlets, 24 entities, ``articles`` articles, notes, two pages, own layouts."""
    m = Archive()
    for slug, name in (("daily", "Daily Example"), ("weekly", "Weekly Example"), ("monthly", "Monthly Example")):
        m.entities[slug] = {"name": name, "type": "outlet", "aliases": [], "description": f"{name} prints news.",
                            "date": "", "same_as": "", "notes": "", "dir": "outlets", "first": "", "last": ""}
    for k in range(24):
        typ = TYPES[k % 4] if k >= 2 else "person"
        slug, ent = new_entity(m, typ)
        ent.update(aliases=[f"{ent['first'][0]}. {ent['last']}"] if k % 3 == 0 else [],
                   description=f"Entity {k}." if k % 2 else "", date=f"2023-09-{1 + k:02}" if typ == "event" else "",
                   notes="Works with [[p-01]]." if k % 5 == 0 and k > 1 else "")
        m.entities[f"p-{k:02}"] = ent
    for i in range(articles):
        m.articles[f"a-{i:03}"] = new_article(m, i, m.fresh())
    for i in range(0, 40, 3):
        a = m.articles[f"a-{i:03}"]
        m.notes[f"a-{i:03}"] = [{"kind": KINDS[i % 4], "claim": CLAIMS[i % 3], "value": f"v{i}",
                                 "quote": openings(a["n"])[0], "note": f"Compare [[a-001]] and {m.entities['p-00']['name']}."}]
    m.pages["about"] = {"title": "About", "order": 1, "body": "About [[a-000]] and [[p-00]]."}
    m.pages["method"] = {"title": "Method", "order": None, "body": "How [[a-002]] was read."}
    m.templates = {name: 0 for name in ("_dump.html", "_macros.html", *MAIN)}
    m.templates["base.html"] = None
    m.assets = {"style.css": 0, "extra.css": 0, "app.js": 0}
    return m
