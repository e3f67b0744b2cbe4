"""Edits of a generated archive (tests/helpers/archive_model.py) drawn by hypothesis.

Each edit takes the model and hypothesis' ``data`` and leaves a valid archive; ``broken`` returns
the archive's files with one user mistake on top, the model left as it was.
"""
from __future__ import annotations

from hypothesis import strategies as st

from tests.helpers import archive_model as am
from tests.helpers.archive_model import Archive, new_article, new_entity

DATES = ("2022-12-31", "2023-09-01", "2023-09-15", "2023-10-02")


def edit_article(m: Archive, d) -> None:
    a = m.articles[d.draw(st.sampled_from(sorted(m.articles)), label="article")]
    what = d.draw(st.sampled_from(("title", "outlet", "published", "story", "tags", "byline", "date_note", "url",
                                   "add sentence", "drop sentence")), label="field")
    if what == "add sentence":
        a["body"].append(d.draw(st.sampled_from(m.sentences())))
    elif what == "drop sentence":
        if len(a["body"]) > 2:  # the first two are quoted by annotations
            a["body"].pop(d.draw(st.integers(2, len(a["body"]) - 1)))
    else:
        choices = {"title": st.just(f"Report {m.fresh()} retitled"), "outlet": st.sampled_from(m.outlets()),
                   "published": st.sampled_from(DATES), "story": st.sampled_from(am.STORIES),
                   "tags": st.lists(st.sampled_from(am.TAGS), max_size=3, unique=True),
                   "byline": st.sampled_from(("", "Writer 1", "Writer 9")),
                   "date_note": st.sampled_from(("", "Dated by the wire.", "Undated in print.")),
                   "url": st.sampled_from(("", "https://news.example/x"))}
        a[what] = d.draw(choices[what], label=what)


def unpinned(m: Archive) -> list[str]:
    return sorted(s for s in m.articles if s >= f"a-{am.PINNED_ARTICLES:03}")


def add_article(m: Archive, d) -> None:
    m.articles[f"n-{m.fresh():03}"] = new_article(m, d.draw(st.integers(0, 60), label="shape"), m.fresh())


def rename_or_delete_article(m: Archive, d) -> None:
    if not unpinned(m):
        return
    slug = d.draw(st.sampled_from(unpinned(m)), label="article")
    art, notes = m.articles.pop(slug), m.notes.pop(slug, None)
    if d.draw(st.booleans(), label="rename"):  # else delete (with its annotations)
        new = f"r-{m.fresh():03}"
        m.articles[new] = art
        if notes:
            m.notes[new] = notes


def edit_entity(m: Archive, d) -> None:
    slug = d.draw(st.sampled_from(sorted(m.entities)), label="entity")
    e = m.entities[slug]
    what = d.draw(st.sampled_from(("name", "aliases", "description", "type", "date", "same_as", "notes")), label="field")
    if what == "name":
        e["first"], e["last"] = am.person_name(m.fresh())
        e["name"] = f"{e['first']} {e['last']}{am.SUFFIX[e['type']]}"
    elif what == "aliases":
        options = [f"The {e['name']}"] if e["type"] == "outlet" else [f"{e['first'][0]}. {e['last']}",
                                                                      f"{e['last']}, {e['first']}"]
        e["aliases"] = d.draw(st.lists(st.sampled_from(options), max_size=2, unique=True), label="aliases")
    elif what == "type":
        if e["type"] != "outlet":
            e["type"] = d.draw(st.sampled_from(am.TYPES), label="type")
    else:
        choices = {"description": ("", "Described.", "Described again."), "date": ("", "2023-09-20", "2022-01-01"),
                   "same_as": ("", "https://ref.example/x"), "notes": ("", "Named in [[a-003]].", "Plain notes.")}
        e[what] = d.draw(st.sampled_from(choices[what]), label=what)


def add_entity(m: Archive, d) -> None:
    typ = d.draw(st.sampled_from((*am.TYPES, "outlet")), label="type")
    slug, e = new_entity(m, typ)
    m.entities[slug] = e


def rename_or_delete_entity(m: Archive, d) -> None:
    free = sorted(s for s in m.entities if s not in am.PINNED_ENTITIES)
    if not free:
        return
    slug = d.draw(st.sampled_from(free), label="entity")
    if d.draw(st.booleans(), label="rename"):
        new = f"x-{m.fresh():03}"
        m.entities[new] = m.entities.pop(slug)
        for a in m.articles.values():  # an outlet's articles follow it (many files in one step)
            if a["outlet"] == slug:
                a["outlet"] = new
    elif slug not in m.used_outlets():
        del m.entities[slug]


def edit_notes(m: Archive, d) -> None:
    slug = d.draw(st.sampled_from(sorted(m.articles)), label="article")
    anns = m.notes.setdefault(slug, [])
    free = [q for q in am.openings(m.articles[slug]["n"]) if q not in {n["quote"] for n in anns}]
    what = d.draw(st.sampled_from(("add", "edit", "delete")), label="notes")
    if what == "add" and free:
        anns.append({"kind": d.draw(st.sampled_from(am.KINDS)), "claim": d.draw(st.sampled_from(am.CLAIMS)),
                     "value": "v", "quote": free[0], "note": "Noted by [[p-00]]."})
    elif what == "edit" and anns:
        n = anns[d.draw(st.integers(0, len(anns) - 1))]
        field = d.draw(st.sampled_from(("kind", "claim", "value", "note")), label="field")
        n[field] = d.draw(st.sampled_from({"kind": am.KINDS, "claim": am.CLAIMS, "value": ("v", "w"),
                                           "note": ("Noted.", f"Says {m.entities['p-01']['name']}.")}[field]))
    elif what == "delete" and anns:
        anns.pop(d.draw(st.integers(0, len(anns) - 1)))


def edit_pages(m: Archive, d) -> None:
    what = d.draw(st.sampled_from(("add", "edit", "rename", "delete")), label="pages")
    if what == "add" or not m.pages:
        m.pages[f"page-{m.fresh()}"] = {"title": "Extra", "order": None, "body": "Extra page about [[a-001]]."}
        return
    slug = d.draw(st.sampled_from(sorted(m.pages)), label="page")
    if what == "edit":
        m.pages[slug].update(title=d.draw(st.sampled_from(("About", "Colophon"))),
                             order=d.draw(st.sampled_from((None, 1, 2))))
    elif what == "rename":
        m.pages[f"page-{m.fresh()}"] = m.pages.pop(slug)
    else:
        del m.pages[slug]


def edit_layouts(m: Archive, d) -> None:
    name = d.draw(st.sampled_from(sorted(m.templates)), label="template")
    variant = m.templates[name]
    if name != "_dump.html" and d.draw(st.booleans(), label="toggle"):  # the default theme's, or ours again
        m.templates[name] = 0 if variant is None else None
    else:
        m.templates[name] = (variant or 0) + 1


def edit_assets(m: Archive, d) -> None:
    what = d.draw(st.sampled_from(("edit", "add", "rename", "delete")), label="assets")
    if what == "add" or not m.assets:
        m.assets[f"more-{m.fresh()}.{d.draw(st.sampled_from(('css', 'js')))}"] = 0
        return
    rel = d.draw(st.sampled_from(sorted(m.assets)), label="asset")
    if what == "edit":
        m.assets[rel] += 1
    elif what == "rename":
        m.assets[f"moved-{m.fresh()}-{rel}"] = m.assets.pop(rel)
    else:
        del m.assets[rel]


def edit_config(m: Archive, d) -> None:
    m.title_variant += 1


EDITS = (edit_article, add_article, rename_or_delete_article, edit_entity, add_entity, rename_or_delete_entity,
         edit_notes, edit_pages, edit_layouts, edit_assets, edit_config)


def broken(m: Archive, d) -> dict[str, str]:
    """The archive's files with one mistake a user makes (the model stays valid)."""
    files = m.files()
    art = "content/articles/" + d.draw(st.sampled_from(sorted(m.articles)), label="article") + ".md"
    ent = next(k for k in sorted(files) if k.startswith("content/entities/"))
    tmpl = "layouts/" + d.draw(st.sampled_from(sorted(t for t, v in m.templates.items() if v is not None)))
    mistakes = {
        "unknown outlet": (art, lambda t: t.replace("\noutlet: ", "\noutlet: nowhere-", 1)),
        "bad date": (art, lambda t: t.replace("\npublished: ", "\npublished: someday ", 1)),
        "unknown key": (art, lambda t: t.replace("\ntitle: ", "\ntitel: ", 1)),
        "unknown type": (ent, lambda t: t.replace("\ntype: ", "\ntype: alien", 1)),
        "quote not found": ("content/annotations/a-000.md",
                            lambda t: (t or "") + "\n> a passage no article prints\n\nNote.\n"),
        "template syntax": (tmpl, lambda t: t + "{% if %}\n"),
        "undefined variable": ("layouts/home.html",
                               lambda t: '{% extends "base.html" %}{% block main %}{{ no_such_thing }}{% endblock %}'),
        "site.yaml key": ("site.yaml", lambda t: t + "colour: red\n"),
    }
    path, corrupt = mistakes[d.draw(st.sampled_from(sorted(mistakes)), label="mistake")]
    files[path] = corrupt(files.get(path))
    return files
