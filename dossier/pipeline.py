"""The build, as a recipe: config -> load -> assemble -> scan -> render articles -> index ->
page views -> render -> write. Each step is a function from data to data.

What the preview server keeps between builds lives in :class:`dossier.session.Session`; the
stages below ask it for what it remembers (a fresh Session remembers nothing: a clean build).
Hook points for new outputs: ``render_site`` (pages made from views and the index) and
``extra_files`` (files made from the Site); a step after the write goes in ``Builder.build``.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable

import jinja2

from . import exports, opendata, pool
from .claimviews import claim_infos
from .config import load_config
from .emit import ArticleResult, MentionRows, Renderer, feed_xml, pack_rows, robots_txt, sitemap_xml
from .errors import DossierError, ErrorList
from .index import Index, build_index
from .model import Output
from .pagetext import read_body, read_page
from .search import FOLDER as SEARCH_FOLDER, count_words
from .outdir import OutputError, check as check_output, recover as recover_output
from .render import DEFAULT_LAYOUTS, LocatedTemplateError, template_error
from .session import ASSET, Layouts, Session, classify
from .site import Site, assemble
from .urls import Urls, output_path, page_dir
from .views import (FrozenMap, View, annotation_views, article_view, coverage_of, data_view, entities_view,
                    entity_view, free_page_view, home_view, not_found_view, outlets_view, tag_views)
from .write import Staging, digest


EXPORTED = (SEARCH_FOLDER + "/", "data/")  # what exports.exports() writes


@dataclass
class BuildResult:
    ok: bool
    errors: tuple[DossierError, ...] = ()
    warnings: tuple[DossierError, ...] = ()
    pages: int = 0
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)
    out: Path | None = None
    kept: tuple[str, ...] = ()  # files in the output folder Dossier did not write (left alone)
    kept_changed: bool = False  # ``kept`` is not what the last build found: worth saying once
    # The preview's rebuild serves its pages first: then ``later()`` remakes the search index and
    # the data files (the last ones are served meanwhile) and returns its own BuildResult.
    later: Callable[[], "BuildResult"] | None = field(default=None, repr=False, compare=False)
    incomplete: bool = False  # pages taken as unchanged were missing from the output folder
    rendered: frozenset = frozenset()  # output paths of the pages rendered in this build (the rest were reused)


@dataclass(frozen=True)
class Options:
    root: Path
    out: Path
    base_url: str | None = None
    strict: bool = False
    workers: int = 1
    progress: object = None
    swap: bool = True  # swap whole trees in (a kill leaves the old or the new); False: file by file
    preview: bool = False  # the preview server's build: no origin needed


class Clock:
    """Stage name -> seconds (a stage named twice adds up)."""

    def __init__(self) -> None:
        self.start = self.mark = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.mark
        self.mark = now


def build(opts: Options, session: Session, changed=None) -> BuildResult:
    clock = Clock()
    check_output(opts.root, opts.out, DEFAULT_LAYOUTS)  # raises OutputError before anything is touched
    recover_output(opts.out)
    errs = ErrorList(opts.root)
    config = load_config(opts.root, errs, base_url=opts.base_url, need_origin=not opts.preview)
    layouts = session.layouts()
    errs.extend(layouts.problems)
    records, load_errors, failed = session.load(changed, opts.workers)
    errs.extend(load_errors)
    clock.lap("load")
    # Later stages run on what loaded cleanly, so every mistake of a run is reported at once.
    draft = assemble(config, records, errs, failed)
    del records  # the Site holds them (see ``release_bodies``)
    session.heads(draft)  # kept by ``with_annotations``
    session.md_key = markdown_key(draft)
    clock.lap("assemble")
    scans = session.scan(draft, opts.workers)  # per body: the entities it names, its sentence keys
    clock.lap("index")
    site = draft.with_annotations(session.shared_passages(draft, scans) if config.shared_passages else {})
    session.links_key = links_key(site)
    clock.lap("passages")
    coverage = session.coverage(site, {slug: scan[0] for slug, scan in scans.items()})
    del scans
    session.release()
    md, jinja, _signatures = session.tools(layouts)
    renderer = Renderer(opts.root, site, Urls(config.base_path, config.origin), coverage, md=md, jinja=jinja)
    clock.lap("index")
    staging = Staging(opts.out)
    staging.begin()
    commit = None
    try:
        outputs, errors, later = render_site(site, renderer, layouts, session, staging, opts, clock)
        errs.extend(errors)
        if opts.strict:
            errs.items = [DossierError(e.path, e.line, e.message) for e in errs.items]
        if not errs:
            commit = staging.commit(outputs, swap=opts.swap)
    finally:
        if commit is None:  # nothing of this build reached the output folder
            staging.discard()
            session.failed()
    if commit is None:
        return failure(opts, errs, clock)
    rendered = session.rendered()
    session.committed(outputs, bool(commit.missing))
    clock.lap("write")
    pages = sum(1 for p in outputs if p.endswith(".html"))
    return BuildResult(True, (), errs.sorted(), pages, commit.written, commit.removed,
                       time.perf_counter() - clock.start, clock.timings, opts.out, commit.kept, commit.kept_changed,
                       later, bool(commit.missing), rendered)


def failure(opts: Options, errs: ErrorList, clock: Clock) -> BuildResult:
    items = errs.sorted()
    return BuildResult(False, tuple(e for e in items if not e.warning), tuple(e for e in items if e.warning),
                       seconds=time.perf_counter() - clock.start, timings=clock.timings, out=opts.out)


def markdown_key(site: Site) -> tuple:
    """What the Markdown plugins read of the whole archive (names to link, targets of wikilinks), which
    is also all that scanning bodies (the names matched) and shared passages (the articles named) read."""
    return (site.config, site.failed,
            tuple((e.slug, e.name, e.aliases, e.owns, e.type, e.description) for e in site.entities.values()),
            tuple((a.slug, a.title, a.published, a.outlet, a.story, a.byline) for a in site.articles.values()),
            tuple((p.slug, p.title, p.order) for p in site.pages.values()))


def links_key(site: Site) -> str:
    """What ``[[article#annotation-id]]`` and ``[[claim:key]]`` are checked against: every
    annotation's id (automatic ones too), every claim made and its heading (a digest: compared in constant time)."""
    ids = tuple((slug, tuple(site.annotation_ids(slug))) for slug in site.annotations)
    claims = tuple((key, site.claim_heading(key)) for key in sorted(site.claim_keys))
    return digest(repr((ids, claims)).encode("utf-8"))


def article_md_key(site: Site, slug: str, session: Session) -> tuple:
    """What an article's Markdown facts are reused on."""
    anns = site.annotations.get(slug, ())
    return (site.articles[slug], anns, session.md_key, session.text_key(session.body_links(site, slug),
                                                                        *(a.note for a in anns)))


def render_site(site: Site, renderer: Renderer, layouts: Layouts, session: Session, staging: Staging,
                opts: Options, clock: Clock) -> tuple[dict, list, Callable | None]:
    """Every output: path -> digest (staged unless the output folder has it), the errors, and what
    the preview does once the pages are served (see ``BuildResult.later``)."""
    outputs: dict[str, str] = {}
    errors: list = []
    split = [0.0, 0.0]
    release = not session.remembers and bodies_unread(layouts)
    results = render_articles(site, renderer, session, staging, opts, outputs, errors, split, release)
    clock.lap("articles")
    split_exports(clock, split)
    if release:
        release_bodies(site, renderer)
    index = build_index(site, results, session.index_memo if session.remembers else None, session.md_key)
    views = listings(renderer, site, index, session, outputs, errors)  # no template error comes from here
    listed = render_entities(site, index, renderer, session, staging, opts.workers, outputs, errors, views)
    named = None if session.remembers else release_mentions(results, index)
    clock.lap("entities")
    try:
        render_views(views, renderer, session, staging, outputs, opts.workers, listed)
        render_free_pages(site, renderer, session, staging, outputs, errors)
        render_views([not_found_view(renderer.frame)], renderer, session, staging, outputs)
    except jinja2.TemplateError as exc:
        errors.append(template_error(exc, opts.root))
    clock.lap("listings")
    later = None
    if not errors:
        make = partial(export_files, site, renderer, results, index, session, rendered=session.rendered(), named=named,
                       aside=not opts.preview and opts.workers > 1 and len(site.articles) >= pool.PARALLEL_MIN)
        if opts.preview and carry_exports(session.outputs(), outputs):
            later = partial(finish_exports, opts, session, make)
        else:
            outputs.update(make(staging, outputs, clock))  # staged as they are made, in their stages' time
    for out in extra_files(site, renderer.urls, layouts, outputs):
        outputs[out.path] = session.stage(staging, out)
    clock.lap("listings")
    return outputs, errors, later


def carry_exports(previous: dict, outputs: dict) -> bool:
    """Keep the last build's search index and data files in ``outputs``; False when there are none."""
    old = {p: d for p, d in previous.items() if p.startswith(EXPORTED)}
    outputs.update(old)
    return bool(old)


def finish_exports(opts: Options, session: Session, make: Callable) -> BuildResult:
    """The preview's second step of a rebuild, its pages served: the search index and the data files."""
    clock = Clock()

    def change(staging: Staging, outputs: dict) -> None:
        made = make(staging, outputs, clock)  # staged as they are made
        for path in [p for p in outputs if p.startswith(EXPORTED)]:
            del outputs[path]
        outputs.update(made)

    commit = amend_output(opts, session, change)
    clock.lap("write")
    return BuildResult(True, written=commit.written, removed=commit.removed, seconds=time.perf_counter() - clock.start,
                       timings=clock.timings, out=opts.out)


def export_files(site: Site, renderer: Renderer, results: dict, index: Index, session: Session, staging: Staging,
                 outputs: dict, clock: Clock, rendered: frozenset = frozenset(), aside: bool = False,
                 named: dict | None = None) -> dict[str, str]:
    """The search index, the open data and the Data page, read from the pages this build made.
    ``rendered``: output paths of the pages rendered in this build (``Session.rendered``); every other
    page, and its entry in ``results``, is the last build's, unchanged.  ``aside``: the search index is
    made in a forked process while this one makes the open data (``exports.Built.aside``). ``named``:
    article slug -> the entities its body names, when the mentions were let go (``release_mentions``)."""
    if named is None:
        named = {s: {m.entity for m in r.mentions} for s, r in results.items()}
    notes = {(s, ann_id): html for s, r in results.items() for ann_id, html in r.notes.items()}

    def read(path: str) -> bytes:
        staged = staging.dir / path
        return staged.read_bytes() if staged.exists() else (staging.out / path).read_bytes()

    built = exports.Built(
        site, renderer.urls, outputs, read, named,
        {s: tuple(r.anchored) for s, r in results.items()}, tuple(index.claims),
        {s: r.text for s, r in results.items()}, MentionRows(results),
        lambda ann: notes.get((ann.article, ann.id)) or renderer.markdown(ann.note, ann.source, ann.note_line - 1, []),
        lambda files: renderer.render(data_view(renderer.frame, files)),
        {s: r.words for s, r in results.items() if r.words is not None}, session.outputs(),
        partial(session.stage, staging), aside, session.remembers, partial(session.stage_pieces, staging))
    return exports.exports(built, session.exports, clock.lap)


# -- articles ------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderState:
    """What the render tasks need, handed to the worker processes by the pool's initializer."""

    renderer: Renderer
    staging: Staging
    entity_args: dict = field(default_factory=dict)  # entity slug -> (mentions, together, annotations, wrote, headlines)
    views: tuple = ()  # listing views (each task gets an index: a view holds records, costly to pickle)
    bodies: list = field(default_factory=lambda: [True])  # [False] once this process let the bodies go


def _render_article_task(state: RenderState, slug: str) -> tuple[ArticleResult, str, float, float]:
    """(what rendering reported, the staged page's digest, seconds for the page, seconds for what the
    search index and the open data take from it: the two are timed apart, see ``split_exports``)."""
    start = time.perf_counter()
    if not state.bodies[0]:  # a worker forked again (its first died) after the bodies went: never a blank page
        raise RuntimeError(f"{slug}: an article task in a process forked after the bodies were let go")
    try:
        res = state.renderer.article(slug)
    except jinja2.TemplateError as exc:
        return ArticleResult(slug, None, [template_error(exc, state.renderer.root)], [], []), "", 0.0, 0.0
    d = state.staging.put(res.output)
    page = time.perf_counter()
    page_html, body_html, res.html = res.output.data.decode("utf-8"), res.html, ""
    res.text = read_body(page_html, body_html) or read_page(page_html).read()  # for the open data and search
    body = res.text[0]
    res.mention_rows = pack_rows(opendata.mention_rows(state.renderer.urls, slug, res.mentions, body))
    res.words = count_words(exports.report_record(state.renderer.site, state.renderer.urls, slug, body))
    res.output = None  # the bytes stay on disk, not in the pipe or the memo
    return res, d, page - start, time.perf_counter() - page


def _bodies_go(state: RenderState, site: Site, renderer: Renderer) -> None:
    """The render workers are forked, with the bodies: this process lets its own go while they render,
    so the results coming back take up the memory the bodies leave."""
    state.bodies[0] = False
    release_bodies(site, renderer)


def bodies_unread(layouts: Layouts) -> bool:
    """Whether only Dossier's own templates are in use: past the article pages they never read an
    article's body. An archive's own templates may print it on any page (its records are theirs)."""
    return all(d == DEFAULT_LAYOUTS or rel.startswith("assets/") for d, rel, _path in layouts.files)


def release_bodies(site: Site, renderer: Renderer) -> None:
    """Past the article pages, Dossier's own templates read no article's Markdown (``bodies_unread``):
    a one-off build (nothing kept for a next build, whose memo compares records) lets the bodies go,
    a third of what the Site holds."""
    if not any(a.body for a in site.articles.values()):
        return  # let go already (or none)
    for slug, art in site.articles.items():
        site.articles[slug] = replace(art, body="")  # the renderer's by-source map holds heads: no body
    if len(site.articles) >= pool.PARALLEL_MIN:  # worth it when workers fork next
        pool.trim()


def release_mentions(results: dict, index: Index) -> dict[str, frozenset]:
    """Past the entity pages, only which entities each article names is read (the open data): a one-off
    build lets the mentions go (each holds its sentence) and the text-order annotations of each article
    (only a next build's memo compares them). Returns article slug -> the entities its body names."""
    named = {slug: frozenset(m.entity for m in res.mentions) for slug, res in results.items()}
    for res in results.values():
        res.mentions, res.placed = [], ()
    index.mentions.clear()
    index.headlines.clear()
    if len(results) >= pool.PARALLEL_MIN:  # the search index's process forks next
        pool.trim()
    return named


EXPORTS_IN_WORKERS = "exports in workers"  # a stage timing: see split_exports


def split_exports(clock: Clock, split: list[float]) -> None:
    """Move from the 'articles' stage the share the render workers spent on the search index's and the
    open data's part of each report (its page read back, its words counted, its mention rows): work a
    site generator without search or data does not do. ``split`` is [seconds on pages, seconds on that],
    summed over the tasks; the stage's wall-clock time is divided in the same proportion."""
    pages, extra = split
    if extra > 0 and "articles" in clock.timings:
        share = clock.timings["articles"] * extra / (pages + extra)
        clock.timings["articles"] -= share
        clock.timings[EXPORTS_IN_WORKERS] = clock.timings.get(EXPORTS_IN_WORKERS, 0.0) + share


def article_key(renderer: Renderer, res: ArticleResult) -> View:
    """The key of an article page's view, from what rendering its Markdown reported."""
    return article_view(renderer.frame, renderer.site, res.slug, res.body, res.mentions, res.placed,
                        renderer.coverage.get(res.slug, ()))


def _any(_key) -> bool:
    """``Session.reuse_if``'s test when the inputs of a page's view are known to be the last build's."""
    return True


def _same_article(art, coverage: tuple, key: View) -> bool:
    """With ``Session.steady`` and the memo's Markdown facts, all an article view holds besides these two."""
    return key.article == art and key.coverage == coverage


def render_articles(site: Site, renderer: Renderer, session: Session, staging: Staging, opts: Options,
                    outputs: dict, errors: list, split: list | None = None,
                    release: bool = False) -> dict[str, ArticleResult]:
    """Article pages (Markdown, then the page, in the workers): article slug -> what each reported;
    ``split`` gets the workers' seconds on pages and on the exports' part (see ``split_exports``);
    ``release``: this process lets the bodies go once the workers are forked (``release_bodies``)."""
    split = [0.0, 0.0] if split is None else split
    results: dict[str, ArticleResult] = {}
    todo = []
    steady = session.steady(renderer.frame, site)
    for slug, art in site.articles.items():
        path = output_path(page_dir("article", slug))
        res = session.markdown(path, article_md_key(site, slug, session))
        coverage = renderer.coverage.get(slug, ())
        # With ``Session.quiet``, a view made of the last build's inputs is the last build's view: not made.
        d = res and (session.same_inputs(path, (art, coverage)) and session.quiet and session.reuse_if(path, _any)
                     or steady and session.reuse_if(path, partial(_same_article, art, coverage_of(site, coverage)))
                     or session.reuse(path, article_key(renderer, res)))
        if d:
            results[slug], outputs[path] = res, d
            errors.extend(res.errors)
        else:
            todo.append(slug)
    if len(todo) >= pool.PARALLEL_MIN:
        renderer.warm()
    if opts.progress and len(todo) >= 500:
        opts.progress(f"rendering {len(todo)} articles")
    state = RenderState(renderer, staging)
    forked = partial(_bodies_go, state, site, renderer) if release else None
    for res, d, page_s, exports_s in pool.run(_render_article_task, todo, state, opts.workers, forked=forked):
        split[0] += page_s
        split[1] += exports_s
        errors.extend(res.errors)
        if d:
            path = output_path(page_dir("article", res.slug))
            results[res.slug], outputs[path] = res, d
            session.unstage_if_same(staging, path, d)
            if session.remembers:  # the key is a view: worth making only for a next build
                session.remember(path, article_key(renderer, res), d, (article_md_key(site, res.slug, session), res))
    return {slug: results[slug] for slug in site.articles if slug in results}


# -- entities --------------------------------------------------------------------------
def _render_entity_task(state: RenderState, slug: str) -> tuple:
    try:
        out, errors, notes = state.renderer.entity(slug, *state.entity_args[slug])
    except jinja2.TemplateError as exc:
        return slug, "", [template_error(exc, state.renderer.root)], ""
    return slug, state.staging.put(out), errors, notes


def _render_entity_or_view_task(state: RenderState, item: tuple[str, object]) -> tuple:
    kind, x = item
    return _render_entity_task(state, x) if kind == "entity" else _render_view_task(state, x)


def render_entities(site: Site, index: Index, renderer: Renderer, session: Session, staging: Staging,
                    workers: int, outputs: dict, errors: list, views: list[View] = ()) -> list | None:
    """Entity pages; when they go to the pool, the pages of ``views`` (the listings) go with them, so
    that no core waits while the other renders the listings: then (view, (digest, template error or
    None)) of each view to render is returned for ``render_views``, else None."""
    args = {slug: (index.mentions.get(slug, []), index.together.get(slug, ()), index.annotations_of.get(slug, []),
                   index.wrote.get(slug, ()), index.headlines.get(slug, ())) for slug in site.entities}

    def key(slug: str, notes: str) -> View:
        mentions, together, annotations, wrote, headlines = args[slug]
        return entity_view(renderer.frame, site, slug, notes, mentions, together, annotations, renderer.by_source,
                           wrote, headlines)

    todo = []
    for slug, ent in site.entities.items():
        path = output_path(page_dir("entity", slug))
        facts = session.markdown(path, (ent, session.md_key, session.text_key(ent.notes)))
        # With ``Session.quiet``, a view made of the last build's inputs is the last build's view: not made.
        same = session.same_inputs(path, (args[slug], site.by_outlet.get(slug))) and session.quiet
        d = facts and (same and session.reuse_if(path, _any) or session.reuse(path, key(slug, facts[0])))
        if d:
            outputs[path] = d
            errors.extend(facts[1])
        else:
            todo.append(slug)
    spread = pool.spreads(len(todo), workers)
    listed = _views_todo(views, session, outputs) if spread else []
    # The listings first: the longest pages (a large archive's home page) before the many short ones.
    items = [("view", i) for i in range(len(listed))] + [("entity", slug) for slug in todo]
    done = pool.run(_render_entity_or_view_task, items, RenderState(renderer, staging, args, tuple(listed)), workers)
    for slug, d, errs, notes in done[len(listed):]:
        errors.extend(errs)
        if d:
            path = output_path(page_dir("entity", slug))
            outputs[path] = d
            session.unstage_if_same(staging, path, d)
            ent = site.entities[slug]
            if session.remembers:
                session.remember(path, key(slug, notes), d,
                                 ((ent, session.md_key, session.text_key(ent.notes)), (notes, errs)))
    return list(zip(listed, done)) if spread else None


VIEWS_PARALLEL = 8  # listing pages worth forking for,
VIEWS_PARALLEL_ARTICLES = 5000  # when the archive has enough articles to make them long (a fork costs ~0.1 s)


# -- pages made from the index ---------------------------------------------------------------
def listing_views(renderer: Renderer, site: Site, index: Index, errors: list) -> list[View]:
    frame = renderer.frame
    infos = claim_infos(index.claims, site.claims, index.verbatim)
    summaries = FrozenMap((key, renderer.markdown(c.summary, c.source, c.summary_line - 1, errors))
                          for key, c in site.claims.items() if c.summary.strip())
    return [*annotation_views(frame, site, index.placed, index.claims, infos, summaries),
            home_view(frame, site, index.articles_of, infos),
            entities_view(frame, site, index.articles_of), outlets_view(frame, site), *tag_views(frame, site)]


def listings(renderer: Renderer, site: Site, index: Index, session: Session, outputs: dict, errors: list) -> list:
    """The listing pages' views; none when, with ``Session.quiet``, what they are made of is the last
    build's: then their pages are the last build's (into ``outputs``), and no view is made."""
    inputs = (index.articles_of, index.placed, index.verbatim, site.claims, session.md_key, session.links_key)
    last = session.last_inputs("listing pages")  # (their paths, their Markdown's errors)
    if session.same_inputs("listings", inputs) and session.quiet and last is not None:
        digests = {path: session.reuse_if(path, _any) for path in last[0]}
        if all(digests.values()):
            outputs.update(digests)
            errors.extend(last[1])
            session.keep_inputs("listing pages", last)
            return []
    found: list = []
    views = listing_views(renderer, site, index, found)
    errors.extend(found)
    session.keep_inputs("listing pages", (tuple(output_path(v.page.path) for v in views), tuple(found)))
    return views


def _render_view_task(state: RenderState, i: int) -> tuple[str, DossierError | None]:
    """(digest of the staged page of view ``i``, None) or ("", the template error)."""
    try:
        return state.staging.put(state.renderer.render(state.views[i])), None
    except jinja2.TemplateError as exc:
        return "", template_error(exc, state.renderer.root)


def _views_todo(views: list[View], session: Session, outputs: dict) -> list[View]:
    """The views whose page must be rendered; the others' pages are the last build's (into ``outputs``)."""
    todo = []
    for view in views:
        path = output_path(view.page.path)
        d = session.reuse(path, view)
        if d is None:
            todo.append(view)
        else:
            outputs[path] = d
    return todo


def render_views(views: list[View], renderer: Renderer, session: Session, staging: Staging, outputs: dict,
                 workers: int = 1, rendered: list | None = None) -> None:
    """Pages of ``views``, in the pool when there are enough of them (the listings of a large archive
    are few but long); a template error is raised, the first in the order of ``views``. ``rendered``:
    (view, what a worker made of it) for each view to render, from ``render_entities``: taken as it is."""
    if rendered is not None:
        todo, done, spread = [view for view, _ in rendered], [got for _, got in rendered], True
    else:
        todo = _views_todo(views, session, outputs)
        spread = len(todo) >= VIEWS_PARALLEL and len(renderer.site.articles) >= VIEWS_PARALLEL_ARTICLES and workers > 1
        if not spread:
            done = [(session.stage(staging, renderer.render(view)), None) for view in todo]
        else:
            renderer.warm()
            done = pool.run(_render_view_task, range(len(todo)), RenderState(renderer, staging, views=tuple(todo)),
                            workers, minimum=VIEWS_PARALLEL)
    for view, (d, error) in zip(todo, done):
        if error is not None:
            raise LocatedTemplateError(error)
        path = output_path(view.page.path)
        if spread:  # a worker staged it: not rewritten when it came out as before
            session.unstage_if_same(staging, path, d)
        session.remember(path, view, d)
        outputs[path] = d


def render_free_pages(site: Site, renderer: Renderer, session: Session, staging: Staging, outputs: dict,
                      errors: list) -> None:
    for page in site.pages.values():
        path = output_path(page_dir("page", page.slug))
        facts = session.markdown(path, (page, session.md_key, session.text_key(page.body)))
        d = facts and session.reuse(path, free_page_view(renderer.frame, page, facts[0]))
        if d:
            outputs[path] = d
            errors.extend(facts[1])
            continue
        out, errs, key = renderer.free_page(page)
        outputs[path] = session.stage(staging, out)
        errors.extend(errs)
        session.remember(path, key, outputs[path], ((page, session.md_key, session.text_key(page.body)), (key.body, errs)))


def extra_files(site: Site, urls: Urls, layouts: Layouts, outputs: dict) -> list[Output]:
    """The feed, the sitemap (of the pages in ``outputs``), robots.txt, and the theme's assets."""
    files = []
    if urls.origin:  # both need absolute URLs (see config.ORIGIN_HINT)
        files.append(feed_xml(site, urls))
        files.append(sitemap_xml(urls, [p[:-len("index.html")] for p in outputs if p.endswith("index.html")]))
    files.append(robots_txt(urls))
    files.append(Output(".nojekyll", b""))
    if site.config.domain:
        files.append(Output("CNAME", (site.config.domain + "\n").encode()))
    return files + [Output("assets/" + rel, path.read_bytes()) for rel, path in assets(layouts.files).items()]


def assets(layout_files: list) -> dict[str, Path]:
    """Assets of every layouts folder (vetted by ``sources.scan_layouts``); the archive's own win over the theme's."""
    found: dict[str, Path] = {}
    for _d, rel, path in reversed(layout_files):
        if rel.startswith("assets/"):
            found[rel[len("assets/"):]] = path
    return dict(sorted(found.items()))


# -- the preview's entry point ----------------------------------------------------------
class Builder:
    """Builds an archive again and again (the preview server), remembering what it can."""

    def __init__(self, root: Path, out: Path | None = None, base_url: str | None = None, *, strict: bool = False,
                 workers: int | None = None, progress=None, swap: bool = True, preview: bool = False,
                 cache: bool = False, once: bool = False) -> None:
        """``once``: this Builder builds one time and keeps no cache (``build_site``, ``dossier check``,
        ``dossier build --no-cache``), so nothing is remembered for a next build."""
        root = Path(root).resolve()
        self.opts = Options(root, Path(os.path.abspath(out)) if out else root / "output",  # a link is refused
                            base_url, strict, workers if workers is not None else min(os.cpu_count() or 1, 8),
                            progress, swap, preview)
        self.root, self.out = root, self.opts.out
        self.session = Session(root)
        self.session.remembers = not once
        self.cache = None  # the build cache (``dossier build``; see dossier.cache), imported only then
        if cache:
            from .cache import Cache
            self.cache = Cache(root)
        self._last: BuildResult | None = None

    @property
    def workers(self) -> int:
        return self.opts.workers

    @workers.setter
    def workers(self, n: int) -> None:
        """The preview sets 1 after its first build: forking beside its threads is unsafe."""
        self.opts = replace(self.opts, workers=n)

    def build(self, changed=None) -> BuildResult:
        if changed is not None:
            # Folders resolved, the name kept: a link that changed is seen as the link, never as its target.
            changed = {Path(p).parent.resolve() / Path(p).name for p in changed}
            if self._last is not None and self._last.ok and changed and \
                    all(classify(self.root, p) == ASSET and not p.is_dir() for p in changed):
                result = copy_assets(self.opts, self.session, changed, self._last)
                if result is not None:
                    return result
        with pool.no_cyclic_gc():  # reading the cache makes millions of objects, too
            if self.opts.preview:
                self._last = build(self.opts, self.session, changed)
                return self._last
            if self.cache is not None and self._last is None:
                self.cache.restore(self.session, self.out)
            self._last = build(self.opts, self.session, changed)
            if self._last.incomplete and self.cache is not None:  # pages gone from the output: make them
                self._last = build(self.opts, self.session, changed)
            if self.cache is not None and self._last.ok:
                self.cache.save(self.session.state())
        return self._last


def copy_assets(opts: Options, session: Session, changed: set, last: BuildResult) -> BuildResult | None:
    """Only assets changed since a good build: copy those files; nothing is read or rendered again.
    None when the layouts have a problem (a full build reports it)."""
    clock = Clock()
    layouts = session.layouts()
    if layouts.problems:
        return None
    found = assets(layouts.files)

    def change(staging: Staging, outputs: dict) -> None:
        for rel in sorted(asset_names(opts.root, changed)):
            if rel in found:
                outputs["assets/" + rel] = session.stage(staging, Output("assets/" + rel, found[rel].read_bytes()))
            else:
                outputs.pop("assets/" + rel, None)

    commit = amend_output(opts, session, change)
    clock.lap("write")
    return BuildResult(True, (), last.warnings, last.pages, commit.written, commit.removed,
                       time.perf_counter() - clock.start, clock.timings, opts.out, commit.kept, commit.kept_changed)


def amend_output(opts: Options, session: Session, change: Callable[[Staging, dict], None]):
    """Change a few files of the last good build's output: ``change(staging, outputs)`` stages them
    and edits ``outputs`` (path -> digest, what the folder holds); then they are committed."""
    check_output(opts.root, opts.out, DEFAULT_LAYOUTS)
    recover_output(opts.out)
    outputs = session.outputs()
    staging = Staging(opts.out)
    staging.begin()
    try:
        change(staging, outputs)
        commit = staging.commit(outputs, swap=opts.swap)
    except BaseException:
        staging.discard()
        raise
    session.committed(outputs, bool(commit.missing))
    return commit


def asset_names(root: Path, changed: set) -> set[str]:
    """``assets/``-relative names of changed asset files (in the archive's layouts/ or the theme)."""
    names = set()
    for path in changed:
        for d in (root / "layouts" / "assets", DEFAULT_LAYOUTS / "assets"):
            if path.is_relative_to(d):
                names.add(path.relative_to(d).as_posix())
    return names


def build_site(root: Path, *, out: Path | None = None, base_url: str | None = None, strict: bool = False,
               workers: int | None = None, progress=None) -> BuildResult:
    """Build the archive at ``root`` into ``out`` (default ``root/output``)."""
    return Builder(root, out, base_url, strict=strict, workers=workers, progress=progress, once=True).build()
