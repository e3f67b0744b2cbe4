"""Page views: for each kind of page, exactly the data its template receives.

A view is plain, immutable and hashable (frozen dataclasses, tuples, records, ``FrozenMap``):
no ``Site``, no parser. So a page is a function of (its view, the templates it uses),
and the preview can reuse a page whose view and templates did not change, for any theme.
Templates get the view's fields, the frame (``config``, ``nav``, ``page``) and the helpers
of :func:`helpers` (which read nothing but their arguments and the base URL).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache, cached_property, partial
from typing import Any

from markupsafe import Markup, escape

from .claimviews import ClaimInfo
from .config import SiteConfig
from .markdown.sidenotes import KIND_LABELS
from .model import ANNOTATION_KINDS, Annotation, Article, ArticleHead, Entity, Mention, Page
from .render import escape_text, human_date
from .urls import Urls, page_dir
from .write import digest

TYPE_LABELS = {"person": "People", "organisation": "Organisations", "place": "Places", "event": "Events",
               "outlet": "Outlets"}


class FrozenMap(Mapping):
    """A read-only dict that can be hashed and compared (a view's lookup table)."""

    __slots__ = ("_items", "_dict")

    def __init__(self, items=()) -> None:
        self._items = tuple(items.items() if isinstance(items, Mapping) else items)
        self._dict = dict(self._items)

    def __getitem__(self, key):
        return self._dict[key]

    def get(self, key, default=None):  # the dict's own: ``Mapping.get`` raises and catches a KeyError for a miss
        return self._dict.get(key, default)

    def __contains__(self, key) -> bool:
        return key in self._dict

    def __iter__(self):
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other) -> bool:
        return isinstance(other, FrozenMap) and self._items == other._items


@dataclass(frozen=True, slots=True)
class NavItem:
    title: str
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str
    path: str
    url: str
    canonical: str
    description: str
    template: str


@dataclass(frozen=True)
class Frame:
    """What every page shows: the configuration, the navigation, the outlets' records
    (``outlet_name``) and the base URL. Made once per build."""

    config: SiteConfig
    nav: tuple  # (title, url) of each navigation entry
    outlet_index: FrozenMap  # outlet slug -> Entity, for every outlet an article names that exists

    def page(self, template: str, path: str, title: str, description: str = "") -> tuple[PageMeta, tuple]:
        urls = self.urls
        here = urls.url(path)
        meta = PageMeta(title, path, here, urls.absolute(path), description or self.config.description, template)
        if here not in self._nav_urls:  # most pages: the one navigation every such page shares
            return meta, self._nav_elsewhere
        return meta, tuple(NavItem(t, u, u == here) for t, u in self.nav)

    @cached_property
    def urls(self) -> Urls:
        return Urls(self.config.base_path, self.config.origin)

    @cached_property
    def _nav_urls(self) -> frozenset:
        return frozenset(u for _t, u in self.nav)

    @cached_property
    def _nav_elsewhere(self) -> tuple:
        return tuple(NavItem(t, u, False) for t, u in self.nav)


@cache
def _field_names(cls) -> tuple[str, ...]:
    """A view class's field names, found once (``dataclasses.fields`` walks them again on every call)."""
    return tuple(f.name for f in fields(cls))


def make_frame(site) -> Frame:
    config = site.config
    urls = Urls(config.base_path, config.origin)
    nav = [("Articles", urls.url("")), ("Entities", urls.of("index", "entities")),
           ("Outlets", urls.of("index", "outlets")), ("Annotations", urls.of("index", "annotations"))]
    nav += [(p.title, urls.of("page", p.slug)) for p in site.pages.values() if p.order is not None]
    outlets = FrozenMap((o, site.entities[o]) for o in site.by_outlet if o in site.entities)
    return Frame(config, tuple(nav), outlets)  # (outlet_index)


@dataclass(frozen=True)
class View:
    """Fields every page has; subclasses add what their template lists."""

    config: SiteConfig
    nav: tuple
    page: PageMeta
    outlet_index: FrozenMap  # outlet slug -> Entity (what ``outlet_name`` and ``outlet_of`` read)
    note_counts: FrozenMap  # slug -> annotations, of every article in the view that has any (``note_count``)

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _field_names(type(self))}

    def key(self) -> "View":
        """What the page is reused on: the view itself, or (``Html`` fields) it with each piece of
        rendered HTML replaced by its digest, so the memo holds no page text."""
        return self


def _make(cls, frame: Frame, site, page: tuple, _slugs=None, **fields):
    """A ``cls`` view of ``fields``, with the frame's fields for ``page`` = (template, path, title[, description])
    and the annotation counts of the articles anywhere in ``fields`` (``_slugs``: their slugs, when the
    caller knows them: not looked for through every field's tuples)."""
    meta, nav = frame.page(*page)
    found: dict[str, None] = {}
    if _slugs is not None:
        found = dict.fromkeys(_slugs)
    else:
        for value in fields.values():
            _articles_in(value, found)
    counts = FrozenMap(sorted((s, n) for s in found if (n := len(site.annotations.get(s, ()))))) if site else FrozenMap()
    return cls(config=frame.config, nav=nav, page=meta, outlet_index=frame.outlet_index, note_counts=counts, **fields)


def _articles_in(value, found: dict) -> None:
    if isinstance(value, (ArticleHead, Article)):
        found[value.slug] = None
    elif isinstance(value, tuple):
        for item in value:  # leaves here, not in a call each (views hold tens of thousands)
            if isinstance(item, tuple):
                _articles_in(item, found)
            elif isinstance(item, (ArticleHead, Article)):
                found[item.slug] = None


@dataclass(frozen=True)
class HomeView(View):
    articles: tuple  # ArticleHead, newest first
    main_entities: tuple  # (Entity, articles naming it)
    timeline: tuple  # dated events, earliest first
    entity_count: int  # entities that are not outlets
    claims: tuple = ()  # ClaimInfo: every claim compared across outlets


def home_view(frame: Frame, site, articles_of: dict, claims: tuple = ()) -> HomeView:
    articles = tuple(site.heads[a.slug] for a in reversed(site.chronological()))
    counts = {e: len(a) for e, a in articles_of.items()}
    main = sorted((e for e in site.entities.values() if e.type != "outlet" and counts.get(e.slug)),
                  key=lambda e: (-counts[e.slug], e.name))[:site.config.home_entities]
    timeline = sorted((e for e in site.entities.values() if e.type == "event" and e.date),
                      key=lambda e: (e.date, e.name))
    # the reports it lists are every report: their slugs are known, not looked for through the heads
    return _make(HomeView, frame, site, ("home.html", "", site.config.title), site.articles, articles=articles,
                 main_entities=tuple((e, counts[e.slug]) for e in main), timeline=tuple(timeline),
                 entity_count=sum(1 for e in site.entities.values() if e.type != "outlet"), claims=claims)


@dataclass(frozen=True)
class ArticleView(View):
    article: Article
    outlet: Entity | None
    body: str  # Markup; in ``key()`` its digest
    mentioned: tuple  # (Entity, mentions) most first
    coverage: tuple  # (ArticleHead, shared entities)
    annotations: tuple  # annotations placed in the text, in text order
    byline: tuple = ()  # (text, person Entity or None): the byline, its names linked to their entities

    def key(self) -> View:
        return replace(self, body=html_digest(self.body))


def article_view(frame: Frame, site, slug: str, body: str, mentions, placed, coverage) -> ArticleView:
    art = site.articles[slug]
    outlet = site.entities.get(art.outlet)
    counts = Counter(m.entity for m in mentions)
    mentioned = sorted(((site.entities[e], n) for e, n in counts.items()), key=lambda en: (-en[1], en[0].name))
    description = f"{outlet.name if outlet else art.outlet}, {human_date(art.published)}"
    others = coverage_of(site, coverage)
    # The articles in the view's fields (``_make``): the page's own and its other coverage's, no walk through
    # its entities, annotations and byline (about 17 calls a page).
    return _make(ArticleView, frame, site, ("article.html", page_dir("article", slug), art.title, description),
                 [slug] + [head.slug for head, _n in others], article=art, outlet=outlet, body=body,
                 mentioned=tuple(mentioned), coverage=others, annotations=tuple(placed), byline=_byline(site, art))


def coverage_of(site, coverage) -> tuple:
    """An article view's ``coverage``: (ArticleHead, shared entities) of each (slug, shared entities)."""
    return tuple((site.heads[s], n) for s, n in coverage)


def _byline(site, art: Article) -> tuple:
    """(text, person Entity or None) pieces of the byline, without a leading "By" (the page says it)."""
    parts = site.byline(art)
    if parts and not parts[0][1] and parts[0][0].strip().lower() == "by":
        parts = parts[1:]
    return tuple((t, site.entities[e] if e else None) for t, e in parts)


@dataclass(frozen=True)
class EntityView(View):
    entity: Entity
    notes: str  # Markup
    mentions: tuple  # (ArticleHead, (Mention, ...)) by date
    together: tuple  # (Entity, articles naming both)
    outlet_articles: tuple  # an outlet's own articles (ArticleHead)
    annotations: tuple  # (Annotation, ArticleHead) whose note names the entity
    wrote: tuple = ()  # the reports (ArticleHead) whose byline names this person, by date
    headlines: FrozenMap = FrozenMap()  # article slug -> the Mention of the entity in its headline

    def key(self) -> View:
        return replace(self, notes=html_digest(self.notes))


def entity_view(frame: Frame, site, slug: str, notes: str, mentions: list[Mention], together, annotations,
                by_source: Mapping[str, ArticleHead], wrote=(), headlines=()) -> EntityView:
    """``by_source``: article source path -> its ArticleHead (made once per build); ``headlines``: the
    entity's mentions in headlines (their reports are listed too when the text does not name it)."""
    ent = site.entities[slug]
    by_article: dict[str, list[Mention]] = defaultdict(list)
    for m in headlines:
        by_article.setdefault(m.source, [])
    for m in mentions:
        by_article[m.source].append(m)
    grouped = sorted(((by_source[src], tuple(ms)) for src, ms in by_article.items() if src in by_source),
                     key=lambda am: (am[0].published, am[0].slug))
    outlet_articles = tuple(site.heads[s] for s in site.by_outlet.get(slug, ()))
    annotations, wrote = tuple(annotations), tuple(site.heads[s] for s in wrote)
    # The articles in the view's fields (``_make``): the reports' heads of ``mentions``, not their mentions.
    articles = [a.slug for a, _ms in grouped] + [a.slug for a in outlet_articles] + \
        [a.slug for _ann, a in annotations] + [a.slug for a in wrote]
    return _make(EntityView, frame, site, ("entity.html", page_dir("entity", slug), ent.name, ent.description),
                 articles, entity=ent, notes=notes, mentions=tuple(grouped),
                 together=tuple((site.entities[e], n) for e, n in together), outlet_articles=outlet_articles,
                 annotations=annotations, wrote=wrote,
                 headlines=FrozenMap((by_source[m.source].slug, m) for m in headlines if m.source in by_source))


@dataclass(frozen=True)
class EntitiesView(View):
    groups: tuple  # (type, label, ((Entity, articles naming it), ...)) by type, names by lower case


def entities_view(frame: Frame, site, articles_of: dict) -> EntitiesView:
    groups = []
    by_name = sorted(site.entities.values(), key=lambda e: e.name.lower())
    for typ, label in TYPE_LABELS.items():
        ents = tuple((e, len(articles_of.get(e.slug, ()))) for e in by_name if e.type == typ)
        if ents:
            groups.append((typ, label, ents))
    return _make(EntitiesView, frame, site, ("entities.html", page_dir("index", "entities"), "Entities"),
                 groups=tuple(groups))


@dataclass(frozen=True)
class OutletsView(View):
    outlets: tuple  # (outlet Entity, (ArticleHead, ...)) by name


def outlets_view(frame: Frame, site) -> OutletsView:
    rows = [(site.entities[o], tuple(site.heads[s] for s in slugs)) for o, slugs in site.by_outlet.items()
            if o in site.entities]
    rows.sort(key=lambda oa: oa[0].name.lower())
    listed = (head.slug for _outlet, heads in rows for head in heads)
    return _make(OutletsView, frame, site, ("outlets.html", page_dir("index", "outlets"), "Outlets"), listed,
                 outlets=tuple(rows))


@dataclass(frozen=True)
class TagsView(View):
    tags: tuple  # (tag, number of articles) by tag


@dataclass(frozen=True)
class TagView(View):
    tag: str
    articles: tuple  # ArticleHead, newest first


def tag_views(frame: Frame, site) -> list[View]:
    tags = sorted(site.by_tag.items())
    views: list[View] = [_make(TagsView, frame, site, ("tags.html", page_dir("index", "tags"), "Tags"),
                               tags=tuple((t, len(s)) for t, s in tags))]
    for tag, slugs in tags:
        views.append(_make(TagView, frame, site, ("tag.html", page_dir("tag", tag), f"Tagged “{tag}”"), slugs, tag=tag,
                           articles=tuple(site.heads[s] for s in reversed(slugs))))
    return views


@dataclass(frozen=True)
class AnnotationsView(View):
    by_kind: tuple  # (kind, label, ((Annotation, ArticleHead), ...))
    by_article: tuple  # (ArticleHead, (Annotation, ...)) newest first
    claims: tuple  # (claim, ((Annotation, ArticleHead), ...)) by claim
    total: int


@dataclass(frozen=True)
class ClaimView(View):
    claim: str
    rows: tuple  # (Annotation, ArticleHead), oldest report first (as before ``info``: themes may read it)
    info: ClaimInfo  # title, question, rows (ClaimRow, oldest report first), scale
    summary: str  # Markup: the editors' summary (content/claims/<key>.md), or ""
    others: tuple  # ClaimInfo of the other claims

    def key(self) -> View:
        return replace(self, summary=html_digest(self.summary))


def annotation_views(frame: Frame, site, placed: tuple, claims: dict, infos: tuple = (),
                     summaries: Mapping = FrozenMap()) -> list[View]:
    by_kind = [(k, KIND_LABELS[k], tuple((a, art) for a, art in placed if a.kind == k))
               for k in (*ANNOTATION_KINDS, "shared")]
    grouped: dict[str, list[Annotation]] = defaultdict(list)
    for a, art in placed:
        grouped[art.slug].append(a)
    by_article = tuple((site.heads[slug], tuple(grouped[slug])) for slug in reversed(list(site.articles))
                       if slug in grouped)
    views: list[View] = [_make(
        AnnotationsView, frame, site, ("annotations.html", page_dir("index", "annotations"), "Annotations"),
        by_kind=tuple(g for g in by_kind if g[2]), by_article=by_article,
        claims=tuple((c, tuple(rows)) for c, rows in claims.items()), total=len(placed))]
    for info in infos:
        views.append(_make(ClaimView, frame, site, ("claim.html", page_dir("claim", info.key), info.title,
                                                    info.question),
                           claim=info.key, rows=tuple((r.annotation, r.article) for r in info.rows), info=info,
                           summary=summaries.get(info.key, ""),
                           others=tuple(o for o in infos if o.key != info.key)))
    return views


@dataclass(frozen=True)
class DataView(View):
    files: tuple  # (file name, url, what it holds, size in bytes) of each open data file


def data_view(frame: Frame, files: tuple) -> DataView:
    return _make(DataView, frame, None, ("data.html", page_dir("index", "data"), "Data"), files=files)


@dataclass(frozen=True)
class FreePageView(View):
    doc: Page
    body: str  # Markup

    def key(self) -> View:
        return replace(self, body=html_digest(self.body))


def free_page_view(frame: Frame, page: Page, body: str) -> FreePageView:
    return _make(FreePageView, frame, None, ("page.html", page_dir("page", page.slug), page.title), doc=page, body=body)


@dataclass(frozen=True)
class NotFoundView(View):
    pass


def not_found_view(frame: Frame) -> NotFoundView:
    return _make(NotFoundView, frame, None, ("404.html", "404.html", "Page not found"))


def html_digest(html: str) -> str:
    """What a view's key holds instead of a piece of rendered HTML."""
    return "digest:" + digest(str(html).encode("utf-8"))


_HREF_KINDS = {ArticleHead: "article", Article: "article", Entity: "entity", Page: "page"}


def helpers(urls: Urls, view: View, memo=None) -> dict[str, Any]:
    """The functions and labels templates get besides the view (none reads anything else);
    ``memo``: the build's ``MacroMemo`` (what ``mention_groups`` makes each report's heading with)."""
    outlets = view.outlet_index
    notes = view.note_counts

    def href(obj) -> str:
        kind = _HREF_KINDS.get(type(obj))
        if kind is None:
            raise TypeError(type(obj))
        return urls.of(kind, obj.slug)

    def groups(mentions, headlines, heading) -> Markup:
        return mention_groups(mentions, headlines, heading if memo is None else partial(memo, heading), href)

    def outlet_name(article: Article) -> str:
        outlet = outlets.get(article.outlet)
        return outlet.name if outlet else article.outlet

    ctx = {"urls": urls, "url": urls.url, "url_for": urls.of, "href": href, "highlight": highlight,
           "type_labels": TYPE_LABELS, "kind_labels": KIND_LABELS, "outlet_name": outlet_name,
           "outlet_of": lambda article: outlets.get(article.outlet),
           "note_count": lambda article: notes.get(article.slug, 0), "mention_items": mention_items,
           "mention_groups": groups}
    return ctx


def highlight(m: Mention) -> Markup:
    return Markup(_highlighted(m))


def _highlighted(m: Mention) -> str:
    s = m.sentence
    return f"{escape_text(s[:m.start])}<strong>{escape_text(s[m.start:m.end])}</strong>{escape_text(s[m.end:])}"


def mention_items(link: str, mentions) -> Markup:
    """An entity page's mentions of it in one report (``link``: the report's URL), one ``<li>`` a line,
    each sentence ``highlight``-ed and linked to the mention (``#m-<number>``) or its paragraph
    (``#par-<block>``). What the default theme's loop over them wrote, made in one call: an entity
    page lists every sentence naming it, tens of thousands in a large archive."""
    lines: list[str] = []
    _add_items(lines.append, escape_text(link), mentions)
    return Markup("".join(lines))


def _add_items(add, href: str, mentions) -> None:
    """``mention_items``' lines, each given to ``add`` (``href``: the report's URL, escaped)."""
    esc = escape_text
    for m in mentions:
        s, start, end = m.sentence, m.start, m.end  # ``_highlighted(m)``, inlined: tens of thousands a page
        text = f"{esc(s[:start])}<strong>{esc(s[start:end])}</strong>{esc(s[end:])}"
        if m.number:
            add(f'<li><a href="{href}#m-{m.number}">{text}</a></li>\n')
        elif m.block:
            add(f'<li><a href="{href}#par-{m.block}">{text}</a></li>\n')
        else:
            add(f"<li>{text}</li>\n")


def mention_groups(mentions, headlines: Mapping, heading, href) -> Markup:
    """An entity page's reports naming it (its view's ``mentions``: (ArticleHead, (Mention, ...))), one
    ``<section class="mention-group">`` each: ``heading(a)`` (the theme's ``report_heading``, which leaves
    its ``<p class="meta">`` open), the number of mentions, the headline naming it (``headlines``: slug ->
    Mention) and ``mention_items``. What the loop written beside it in the default theme's ``entity.html``
    writes, in one call: a large archive's entity pages list tens of thousands of reports."""
    out: list[str] = []
    add = out.append
    for a, ms in mentions:
        link = escape_text(href(a))
        add(f'<section class="mention-group" aria-labelledby="mg-{escape_text(a.slug)}">\n{heading(a)}')
        n = len(ms)
        add(f" · {n} mention{'s' if n != 1 else ''}</p>\n" if n else "</p>\n")
        m = headlines.get(a.slug)
        if m is not None:
            add(f'<p class="in-headline"><span class="kind-badge">Headline</span> '
                f'<a href="{link}#article-title">{_highlighted(m)}</a></p>')
        if n:
            add('<ul class="mentions">\n')
            _add_items(add, link, ms)
            add("</ul>")
        add("</section>\n")
    return Markup("".join(out))
