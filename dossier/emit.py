"""Emitters: one method per kind of output, each returning ``Output`` records.

A :class:`Renderer` is made once per build (and inherited by each worker
process): it holds the Site, the Markdown parser and the Jinja2 environment.
Templates receive records and small view helpers, never the parser.
"""
from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from .markdown import make_md, new_env
from .model import Annotation, Article, Entity, Mention, Output, Page
from .render import human_date, make_env, render_template
from .site import Site
from .urls import Urls, output_path, page_dir

TYPE_LABELS = {"person": "People", "organisation": "Organisations", "place": "Places", "event": "Events",
               "outlet": "Outlets"}


@dataclass
class ArticleResult:
    """What rendering one article tells the rest of the build."""

    slug: str
    output: Output | None
    errors: list  # (source, line, message)
    mentions: list  # Mention records from the body
    note_mentions: list  # (annotation id, entity slug) from annotation notes
    anchored: list = field(default_factory=list)  # annotation ids placed in the text


class Renderer:
    def __init__(self, root: Path, site: Site, urls: Urls, coverage: dict | None = None, *, md=None,
                 jinja=None) -> None:
        self.root = root
        self.site = site
        self.urls = urls
        self.coverage = coverage or {}
        self.md = md or make_md()
        self.jinja = jinja or make_env(root)  # the preview server keeps one while templates are unchanged
        self._templates: dict = {}
        self.link_first = site.config.link_mentions == "first"
        self.nav = [("Articles", urls.url("")), ("Entities", urls.of("index", "entities")),
                    ("Outlets", urls.of("index", "outlets")), ("Annotations", urls.of("index", "annotations"))]
        self.nav += [(p.title, urls.of("page", p.slug)) for p in site.pages.values() if p.order is not None]

    # -- helpers given to templates -------------------------------------------------
    def href(self, obj) -> str:
        if isinstance(obj, Article):
            return self.urls.of("article", obj.slug)
        if isinstance(obj, Entity):
            return self.urls.of("entity", obj.slug)
        if isinstance(obj, Page):
            return self.urls.of("page", obj.slug)
        raise TypeError(type(obj))

    def outlet_name(self, article: Article) -> str:
        outlet = self.site.entities.get(article.outlet)
        return outlet.name if outlet else article.outlet

    def note_count(self, article: Article) -> int:
        return len(self.site.annotations.get(article.slug, ()))

    @staticmethod
    def highlight(m: Mention) -> Markup:
        s = m.sentence
        return Markup(f"{escape(s[:m.start])}<strong>{escape(s[m.start:m.end])}</strong>{escape(s[m.end:])}")

    def markdown(self, text: str, source: str, line0: int, errors: list, *, self_slug: str = "",
                 mentions: list | None = None) -> Markup:
        env = new_env(self.site, self.urls, line0=line0, collect=mentions is not None, self_slug=self_slug,
                      link_first=self.link_first)
        env["source"] = source
        out = self.md.render(text, env)
        errors.extend((source, line, msg) for line, msg in env["errors"])
        if mentions is not None:
            mentions.extend(env["mentions"])
        return Markup(out)

    def note_html(self, ann: Annotation, errors: list, mentions: list) -> Markup:
        return self.markdown(ann.note, ann.source, ann.note_line - 1, errors, mentions=mentions)

    def page(self, template: str, path: str, title: str, *, description: str = "", sources=(), **ctx) -> Output:
        urls = self.urls
        context = {
            "config": self.site.config, "site": self.site, "urls": urls, "url": urls.url, "href": self.href,
            "highlight": self.highlight, "type_labels": TYPE_LABELS, "outlet_name": self.outlet_name,
            "note_count": self.note_count,
            "nav": [{"title": t, "url": u, "current": u == urls.url(path)} for t, u in self.nav],
            "page": {"title": title, "path": path, "url": urls.url(path), "canonical": urls.absolute(path),
                     "description": description or self.site.config.description, "template": template},
            **ctx,
        }
        tmpl = self._templates.get(template)
        if tmpl is None:
            tmpl = self._templates[template] = self.jinja.get_template(template)
        data = render_template(tmpl, context)
        return Output(output_path(path), data.encode("utf-8"), frozenset(sources))

    # -- emitters ---------------------------------------------------------------------
    def article(self, slug: str) -> ArticleResult:
        site = self.site
        art = site.articles[slug]
        errors: list = []
        mentions: list = []
        annotations = site.annotations.get(slug, ())
        env = new_env(site, self.urls, line0=art.body_line - 1, collect=True, annotations=annotations,
                      link_first=self.link_first)
        env["source"] = art.source
        env["renderer"] = self
        body = Markup(self.md.render(art.body, env))
        errors.extend((art.source, line, msg) for line, msg in env["errors"])
        errors.extend(env.get("anchor_errors", ()))
        mentions = env["mentions"]
        counts = Counter(m.entity for m in mentions)
        mentioned = sorted(((site.entities[e], n) for e, n in counts.items()), key=lambda en: (-en[1], en[0].name))
        coverage = [(site.articles[s], n) for s, n in self.coverage.get(slug, ())]
        outlet = site.entities.get(art.outlet)
        out = self.page("article.html", page_dir("article", slug), art.title, description=f"{outlet.name if outlet else art.outlet}, {human_date(art.published)}",
                        article=art, outlet=outlet, body=body, mentioned=mentioned, coverage=coverage,
                        annotations=env.get("placed", []), sources=(art.source,))
        return ArticleResult(slug, out, errors, mentions, env.get("note_mentions", []), env.get("anchored", []))

    def entity(self, slug: str, mentions: list[Mention], together: list, annotations: list) -> tuple[Output, list]:
        site = self.site
        ent = site.entities[slug]
        errors: list = []
        notes = self.markdown(ent.notes, ent.source, ent.notes_line - 1, errors, self_slug=slug)
        by_article: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            by_article[m.source].append(m)
        source_to_article = {a.source: a for a in site.articles.values()}
        grouped = sorted(((source_to_article[src], ms) for src, ms in by_article.items() if src in source_to_article),
                         key=lambda am: (am[0].published, am[0].slug))
        outlet_articles = [site.articles[s] for s in site.by_outlet.get(slug, ())]
        out = self.page("entity.html", page_dir("entity", slug), ent.name, description=ent.description,
                        entity=ent, notes=notes, mentions=grouped, together=together,
                        outlet_articles=outlet_articles, annotations=annotations, sources=(ent.source,))
        return out, errors

    def free_page(self, page: Page) -> tuple[Output, list]:
        errors: list = []
        body = self.markdown(page.body, page.source, page.body_line - 1, errors)
        return self.page("page.html", page_dir("page", page.slug), page.title, doc=page, body=body,
                         sources=(page.source,)), errors


def feed_xml(site: Site, urls: Urls, limit: int = 50) -> Output:
    arts = sorted(site.articles.values(), key=lambda a: (a.published, a.slug), reverse=True)[:limit]
    updated = max((a.published for a in arts), default=dt.date(1970, 1, 1))
    esc = html.escape
    entries = []
    for a in arts:
        link = urls.absolute(page_dir("article", a.slug))
        outlet = site.entities.get(a.outlet)
        summary = f"{outlet.name if outlet else a.outlet}, {human_date(a.published)}" + (f". By {a.byline}" if a.byline else "")
        entries.append(
            f"  <entry>\n    <title>{esc(a.title)}</title>\n    <link href=\"{esc(link)}\"/>\n"
            f"    <id>{esc(link)}</id>\n    <updated>{a.published.isoformat()}T00:00:00Z</updated>\n"
            f"    <summary>{esc(summary)}</summary>\n  </entry>\n")
    home = urls.absolute("")
    author = site.config.author or site.config.title
    text = ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
            f"  <title>{esc(site.config.title)}</title>\n  <link href=\"{esc(home)}\"/>\n"
            f"  <link rel=\"self\" href=\"{esc(urls.absolute('feed.xml'))}\"/>\n  <id>{esc(home)}</id>\n"
            f"  <updated>{updated.isoformat()}T00:00:00Z</updated>\n  <author><name>{esc(author)}</name></author>\n"
            + "".join(entries) + "</feed>\n")
    return Output("feed.xml", text.encode("utf-8"))


def sitemap_xml(urls: Urls, pages: list[str]) -> Output:
    body = "".join(f"  <url><loc>{html.escape(urls.absolute(p))}</loc></url>\n" for p in sorted(pages))
    text = ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + body + "</urlset>\n")
    return Output("sitemap.xml", text.encode("utf-8"))


def robots_txt(urls: Urls) -> Output:
    text = "User-agent: *\nAllow: /\n"
    if urls.origin:
        text += f"Sitemap: {urls.absolute('sitemap.xml')}\n"
    return Output("robots.txt", text.encode("utf-8"))
