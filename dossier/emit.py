"""Emitters: one method per kind of output, each returning ``Output`` records.

A :class:`Renderer` is made once per build (and inherited by each worker
process): it holds the Site, the Markdown parser and the Jinja2 environment.
Templates receive records and small view helpers, never the parser.
"""
from __future__ import annotations

import datetime as dt
import html
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from .markdown import make_md, new_env, note_renderer, render
from .model import Mention, Output, Page
from .pagemeta import head_meta
from .render import MacroMemo, compile_pages, human_date, make_env, render_template
from .site import Site, date_order
from .urls import Urls, output_path, page_dir
from .views import Frame, View, article_view, entity_view, free_page_view, helpers, html_digest, make_frame

@dataclass
class ArticleResult:
    """What rendering one article tells the rest of the build."""

    slug: str
    output: Output | None
    errors: list  # DossierError
    mentions: list  # Mention records from the body
    note_mentions: list  # (annotation id, entity slug) from annotation notes
    anchored: list = field(default_factory=list)  # annotation ids placed in the text
    body: str = ""  # ``html_digest`` of the body: with the rest, the page's view key (``article_view``); "" one-off
    placed: tuple = ()  # the annotations placed in the text, in text order
    verbatim: dict = field(default_factory=dict)  # annotation id -> the article's own words of the passage
    notes: dict = field(default_factory=dict)  # annotation id -> its note's HTML as the page shows it
    text: tuple = ()  # (body, passages) of pagetext.read_page, read where the page was rendered
    mention_rows: bytes = b""  # its rows of data/mentions.csv, packed (``pack_rows``): kept until the exports
    words: object = None  # search.Words of the report's search record, counted there too
    html: str = ""  # the body's HTML, for the exports' part beside the page (``pagetext.read_body``), then ""
    page: str = ""  # the page's HTML as text (``output.data`` before it was encoded): the same, then ""
    body_text: str | tuple | None = None  # the text of ``html`` where rendering knew it (``markdown.render``), then None
    spooled: tuple | None = None  # where ``text`` and ``words`` wait instead, in a one-off build (``spool.Piece``)
    data_keys: tuple = ()  # what the open data's fingerprints take of it (``exports.report_data_keys``); () one-off
    search_facts: tuple = ()  # what the search index's update takes of it (``exports.report_search_facts``); () one-off


def pack_rows(rows: str) -> bytes:
    """CSV rows as they wait for the exports: compressed, a fifth of their size (URLs and names repeat)."""
    return zlib.compress(rows.encode("utf-8"), 1)


class MentionRows(Mapping):
    """article slug -> its rows of data/mentions.csv (text), unpacked when asked for, so only the
    packed rows stay in memory."""

    def __init__(self, results: dict) -> None:
        self._results = results

    def __getitem__(self, slug: str) -> str:
        return zlib.decompress(self._results[slug].mention_rows).decode("utf-8")

    def packed(self, slug: str) -> bytes:
        """The rows as they wait, packed: the same rows give the same bytes."""
        return self._results[slug].mention_rows

    def __iter__(self):
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)


class Renderer:
    """Markdown to HTML and views to pages: made once per build, inherited by the workers."""

    def __init__(self, root: Path, site: Site, urls: Urls, coverage: dict | None = None, *, md=None,
                 jinja=None, frame: Frame | None = None, view_keys: bool = True) -> None:
        self.root = root
        self.site = site
        self.urls = urls
        self.coverage = coverage or {}
        self.md = md or make_md()
        self.jinja = jinja or make_env(root)  # the preview server keeps one while templates are unchanged
        self.frame = frame or make_frame(site)
        self._templates: dict = {}
        self.link_first = site.config.link_mentions != "all"
        self.link_per_block = site.config.link_mentions == "paragraph"
        self.by_source = {a.source: site.heads[a.slug] for a in site.articles.values()}  # entity pages' reports
        self.memo = MacroMemo()  # the templates' ``memo(macro, ...)``: for this build only
        self.view_keys = view_keys  # False: a one-off build, no next build to key pages for (``ArticleResult.body``)

    def markdown(self, text: str, source: str, line0: int, errors: list, *, self_slug: str = "") -> Markup:
        env = new_env(self.site, self.urls, source=source, line0=line0, self_slug=self_slug,
                      link_first=self.link_first)
        out = render(self.md, text, env)
        errors.extend(env["errors"])
        return Markup(out)

    def render(self, view: View, sources=()) -> Output:
        """The page of ``view``: its template, given the view and the helpers, nothing else."""
        return Output(output_path(view.page.path), self.page_html(view).encode("utf-8"), frozenset(sources))

    def page_html(self, view: View) -> str:
        """The HTML of ``view``'s page (``render``'s output before it is encoded)."""
        tmpl = self._template(view.page.template)
        # ``memo`` as a bound method: Jinja calls a function for less than an object with ``__call__``
        ctx = {**view.context(), **helpers(self.urls, view, self.memo), "memo": self.memo.__call__}
        page = view.page
        ctx["head"] = head_meta(page.template, page.title, page.description, page.path, ctx, self.urls)
        return render_template(tmpl, ctx)

    def _template(self, name: str):
        tmpl = self._templates.get(name)
        if tmpl is None:
            tmpl = self._templates[name] = self.jinja.get_template(name)
        return tmpl

    def warm(self) -> None:
        """Compile every template now, before the pool forks: the workers inherit them compiled
        instead of each compiling its own. A template that fails is left for its page to report. The
        environment may have them already (``Session.compile_pages``, while the bodies were scanned)."""
        for name, tmpl in compile_pages(self.jinja).items():
            self._templates.setdefault(name, tmpl)

    # -- pages that render Markdown ----------------------------------------------------
    def article(self, slug: str) -> ArticleResult:
        site = self.site
        art = site.articles[slug]
        notes: dict = {}
        env = new_env(site, self.urls, source=art.source, line0=art.body_line - 1, collect=True,
                      annotations=site.annotations.get(slug, ()), link_first=self.link_first, block_ids=True,
                      link_per_block=self.link_per_block,
                      render_note=note_renderer(self.md, site, self.urls, link_first=self.link_first, keep=notes))
        known: list = []  # the body's text, where rendering knows it (plain prose)
        body = Markup(render(self.md, art.body, env, known))
        errors = env["errors"]
        mentions = env["mentions"]
        view = article_view(self.frame, site, slug, body, mentions, env.get("placed", []), self.coverage.get(slug, ()))
        page = self.page_html(view)
        out = Output(output_path(view.page.path), page.encode("utf-8"), frozenset((art.source,)))
        key_body = html_digest(body) if self.view_keys else ""
        return ArticleResult(slug, out, errors, mentions, env.get("note_mentions", []), env.get("anchored", []),
                             key_body, view.annotations, env.get("verbatim", {}), notes, html=str(body), page=page,
                             body_text=known[0] if known else None)

    def entity(self, slug: str, mentions: list[Mention], together, annotations, wrote=(),
               headlines=()) -> tuple[Output, list, str]:
        """(the page, its Markdown's errors, ``html_digest`` of its notes)."""
        ent = self.site.entities[slug]
        errors: list = []
        notes = self.markdown(ent.notes, ent.source, ent.notes_line - 1, errors, self_slug=slug)
        view = entity_view(self.frame, self.site, slug, notes, mentions, together, annotations, self.by_source,
                           wrote, headlines)
        return self.render(view, (ent.source,)), errors, view.key().notes

    def free_page(self, page: Page) -> tuple[Output, list, View]:
        errors: list = []
        body = self.markdown(page.body, page.source, page.body_line - 1, errors)
        view = free_page_view(self.frame, page, body)
        return self.render(view, (page.source,)), errors, view.key()


def feed_xml(site: Site, urls: Urls, limit: int = 50) -> Output:
    arts = [site.articles[slug] for slug in date_order(site.articles)[::-1][:limit]]
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
