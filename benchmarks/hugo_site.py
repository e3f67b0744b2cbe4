"""The benchmark archive in Hugo's format, and Hugo itself (Debian's package).

``export(root)`` writes ``root/hugo/`` from the Dossier archive in ``root/content``:

- every article as a content page (``content/articles/<slug>.md``: its title, date, outlet,
  byline and tags in front matter, its Markdown body verbatim), listing in front matter the
  entities its text names (found the way the generator wrote them: each entity's name holds a
  core word no other entity has);
- one taxonomy term page per entity (``content/entities/<slug>/_index.md``: its name and
  description), so Hugo lists under each entity the articles that name it; tags are a taxonomy
  too (Dossier makes a page per tag);
- trivial templates: an article page (title, meta, body, links to its entities), a term page
  (name, description, the articles), a list page; the home page has an RSS feed, nothing else
  does (Dossier makes one feed too); Hugo's sitemap is left on (Dossier makes one too).

Hugo does no mention linking, annotations, search index or data exports: it is a floor for a
compiled generator doing the same page count, not the same work.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

STAMP = ".hugo-stamp"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WORD = re.compile(r"[A-Z][A-Za-z]+")

CONFIG = """\
baseURL = "https://bench.example.org/"
languageCode = "en"
title = "Benchmark archive"
[taxonomies]
  entity = "entities"
  tag = "tags"
[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML"]
  term = ["HTML"]
  page = ["HTML"]
"""

BASEOF = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
"""

SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Params.outlet }} · {{ .Date.Format "2 January 2006" }} · {{ .Params.byline }}</p>
{{ .Content }}
<ul>{{ range .GetTerms "entities" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>{{ end }}
"""

LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ with .Params.description }}<p>{{ . }}</p>{{ end }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>
{{ end }}
"""


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, fm, body = text.split("---\n", 2)
    return yaml.load(fm, Loader=_Loader) or {}, body


def _core_words(entities: dict[str, dict]) -> dict[str, str]:
    """Core word -> entity slug: the word of an entity's name that no other entity's name has
    and that its first alias repeats (the generator gives every name and alias such a word)."""
    count: dict[str, int] = {}
    for ent in entities.values():
        for w in set(_WORD.findall(ent["name"])):
            count[w] = count.get(w, 0) + 1
    cores = {}
    for slug, ent in entities.items():
        alias = (ent.get("aliases") or [""])[0]
        unique = [w for w in _WORD.findall(ent["name"]) if count[w] == 1]
        core = next((w for w in unique if w in alias), unique[0] if unique else None)
        if core:
            cores[core] = slug
    return cores


def _front(data: dict) -> str:
    """YAML front matter written as JSON values (JSON is YAML), one key a line."""
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in data.items()) + "---\n"


def export(root: Path, stamp: str) -> Path:
    """Write ``root/hugo`` (a Hugo site) unless it is there for this ``stamp``; return its path."""
    site = root / "hugo"
    if (site / STAMP).is_file() and (site / STAMP).read_text() == stamp:
        return site
    if site.exists():
        shutil.rmtree(site)
    entities = {p.stem: _split(p)[0] for p in sorted((root / "content" / "entities").rglob("*.md"))}
    cores = _core_words(entities)
    for rel, text in (("hugo.toml", CONFIG), ("layouts/_default/baseof.html", BASEOF),
                      ("layouts/_default/single.html", SINGLE), ("layouts/_default/list.html", LIST)):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    terms = site / "content" / "entities"
    for slug, ent in entities.items():
        (terms / slug).mkdir(parents=True)
        (terms / slug / "_index.md").write_text(
            _front({"title": ent["name"], "description": ent.get("description", "")}), encoding="utf-8")
    arts = site / "content" / "articles"
    arts.mkdir(parents=True)
    for path in sorted((root / "content" / "articles").glob("*.md")):
        fm, body = _split(path)
        named = sorted({cores[w] for w in _WORD.findall(body) if w in cores})
        data = {"title": fm["title"], "date": str(fm["published"]), "outlet": entities[fm["outlet"]]["name"],
                "byline": fm.get("byline", ""), "tags": fm.get("tags", []), "entities": named}
        (arts / path.name).write_text(_front(data) + body, encoding="utf-8")
    (site / STAMP).write_text(stamp)
    return site


def ensure_hugo() -> tuple[str | None, str]:
    """(path of the hugo binary or None, a line saying what was found or done)."""
    found = shutil.which("hugo")
    if not found and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        proc = subprocess.run(["apt-get", "install", "-y", "-q", "hugo"], capture_output=True, text=True,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("hugo")
        if not found:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
            return None, f"hugo: not installed, and 'apt-get install hugo' failed ({tail[0]}): no comparison"
    if not found:
        return None, "hugo: not installed (Debian: apt-get install hugo; needs root): no comparison"
    version = subprocess.run([found, "version"], capture_output=True, text=True).stdout.strip()
    return found, f"hugo: {version}"


def command(hugo: str, site: Path, out: Path) -> list[str]:
    """A cold Hugo build of ``site`` into ``out`` (the caller deletes ``out`` first)."""
    return [hugo, "--source", str(site), "--destination", str(out), "--quiet", "--noBuildLock",
            "--cacheDir", str(out.parent / "hugo_cache")]
