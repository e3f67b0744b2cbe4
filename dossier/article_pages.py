"""The article pages of a build: each report's Markdown and page, made in the render workers, with
what the search index and the open data take from it (timed apart: ``split_exports``), and what a
one-off build lets go once the pages are made (``release_bodies``, ``release_mentions``).

What is reused from the last build is asked of the :class:`dossier.session.Session`."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Callable

import jinja2

from . import exports, opendata, pool
from .emit import ArticleResult, Renderer, pack_rows
from .index import Index, Together
from .model import named
from .pagetext import read_body, read_page
from .render import DEFAULT_LAYOUTS, template_error
from .search import count_words
from .session import Layouts, Session
from .site import Site
from .spool import Spool
from .urls import output_path, page_dir
from .views import View, article_view, coverage_of
from .write import Staging

if TYPE_CHECKING:
    from .pipeline import Clock, Options


def article_md_key(site: Site, slug: str, session: Session) -> tuple:
    """What an article's Markdown facts are reused on."""
    anns = site.annotations.get(slug, ())
    return (site.articles[slug], anns, session.md_key, session.text_key(session.body_links(site, slug),
                                                                        *(a.note for a in anns)))


@dataclass(frozen=True)
class RenderState:
    """What the render tasks need, handed to the worker processes by the pool's initializer."""

    renderer: Renderer
    staging: Staging
    entity_args: dict = field(default_factory=dict)  # entity slug -> (mentions, together, annotations, wrote, headlines)
    views: tuple = ()  # listing views (each task gets an index: a view holds records, costly to pickle)
    bodies: list = field(default_factory=lambda: [True])  # [False] once this process let the bodies go
    spool: Spool | None = None  # each report's text and words go there (a one-off build: ``dossier.spool``)


EXPORTS_BATCH = 8  # reports a render worker makes the pages of, then the exports' parts of, in turn


def _render_articles_task(state: RenderState, slugs: list[str]) -> list[tuple[ArticleResult, str, float, float]]:
    """For each of ``slugs``: (what rendering reported, the staged page's digest, seconds for the page,
    seconds for what the search index and the open data take from it: the two are timed apart, see
    ``split_exports``). Their pages first, then their exports' parts (a
    report's exports' part right after its own page cost about a tenth more: the page's work had pushed
    the exports' code and data out of the processor's caches). A worker's collections of cycles
    (``pool._call``) come between batches, once it holds ``YOUNG_LIMIT`` objects made since the last."""
    return [_exports_part(state, *made) for made in [_article_page(state, slug) for slug in slugs]]


def _article_page(state: RenderState, slug: str) -> tuple[ArticleResult, str, float]:
    """(what rendering reported, the staged page's digest or "" after a template error, its seconds)."""
    start = time.perf_counter()
    if not state.bodies[0]:  # a worker forked again (its first died) after the bodies went: never a blank page
        raise RuntimeError(f"{slug}: an article task in a process forked after the bodies were let go")
    try:
        res = state.renderer.article(slug)
    except jinja2.TemplateError as exc:
        return ArticleResult(slug, None, [template_error(exc, state.renderer.root)], [], []), "", 0.0
    d = state.staging.put(res.output)
    return res, d, time.perf_counter() - start


def _exports_part(state: RenderState, res: ArticleResult, d: str, page_s: float) -> tuple[ArticleResult, str, float,
                                                                                          float]:
    """What the search index and the open data take from a report's page (none after a template error)."""
    if not d:
        return res, d, page_s, 0.0
    start = time.perf_counter()
    slug = res.slug
    page_html = res.page or res.output.data.decode("utf-8")
    body_html, body_text, res.html, res.page, res.body_text = res.html, res.body_text, "", "", None
    res.text = read_body(page_html, body_html, body_text) or read_page(page_html).read()  # for the open data and search
    body = res.text[0]
    rows = opendata.mention_rows(state.renderer.urls, slug, res.mentions, body)
    head = exports.report_head(state.renderer.site, state.renderer.urls, slug)
    res.words = count_words(exports.with_text(head, body))
    if state.spool is not None:  # on disk as they are: packing them would buy nothing
        res.spooled = state.spool.put(res.text, res.words, rows.encode("utf-8"))
        res.text, res.words = (), None
    else:
        res.mention_rows = pack_rows(rows)
        res.data_keys = exports.report_data_keys(state.renderer.site.articles[slug], named(res.mentions),
                                                 res.mention_rows)
        res.search_facts = exports.report_search_facts(head, res.words.key)
    res.output = None  # the bytes stay on disk, not in the pipe or the memo
    return res, d, page_s, time.perf_counter() - start


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
    named = index.together.named if isinstance(index.together, Together) else \
        {slug: frozenset(m.entity for m in res.mentions) for slug, res in results.items()}
    for res in results.values():
        res.mentions, res.placed = [], ()
    index.mentions.clear()
    index.headlines.clear()
    if len(results) >= pool.PARALLEL_MIN:  # the search index's process forks next
        pool.trim()
    return named


EXPORTS_IN_WORKERS = "exports in workers"  # a stage timing: see split_exports


def split_exports(clock: Clock, split: list[float], stage: str = "articles") -> None:
    """Move from ``stage`` the share the render workers spent on the search index's and the open data's
    part of each page (a report's page read back, its words counted, its mention rows; an entity page's
    first words): work a site generator without search or data does not do. ``split`` is [seconds on
    pages, seconds on that], summed over the tasks, and optionally the wall-clock seconds of those tasks
    (else the stage's): that time is divided in the same proportion."""
    pages, extra = split[:2]
    if extra > 0 and stage in clock.timings:
        share = (split[2] if len(split) > 2 else clock.timings[stage]) * extra / (pages + extra)
        clock.timings[stage] -= share
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


@dataclass(frozen=True)
class Pass:
    """What the article or the entity pass of a build gave (``Session.keep_pass``): with
    ``Session.pass_since`` the next build takes every page whose record is the same object (and, for
    an entity, whose part of the index did not change) without asking the page memo page by page."""

    records: dict  # slug -> this build's record (Article or Entity)
    outputs: dict  # output path -> digest of each page
    paths: dict  # slug -> output path
    inputs: dict  # output path -> what made its view (``Session.same_inputs``), where kept
    errors: dict  # slug -> what its Markdown reported, for the pages that reported something
    results: dict = field(default_factory=dict)  # article slug -> ArticleResult, in site order


def take_pass(last: Pass, records: dict, changed, session: Session, outputs: dict, errors: list) -> dict | None:
    """The records to look at (slug -> record) when ``last`` gives every other page: those whose record is
    not the last one and those in ``changed``; the others' pages go into ``outputs`` and their errors into
    ``errors``. None when records came or went."""
    known = last.records
    check = {slug: rec for slug, rec in records.items() if known.get(slug) is not rec or slug in changed}
    if len(known) != len(records) or not all(slug in known for slug in check):
        return None
    outputs.update(last.outputs)
    session.keep_all_inputs(last.inputs)
    errors.extend(e for slug, errs in last.errors.items() if slug not in check for e in errs)
    for slug in check:
        del outputs[last.paths[slug]]
    return check


def next_pass(kind: str, last: Pass | None, check: dict, records: dict, outputs: dict,
              inputs_of: Callable[[dict], dict], errors_of: dict, results: dict | None = None) -> Pass:
    """This build's ``Pass`` of the pages of ``kind`` (every one made or reused): ``last`` with the pages of
    ``check`` (the records looked at) in their places, or, without ``last``, from nothing. ``inputs_of(slug ->
    path)``: what made their views, by path; ``errors_of``: slug -> errors, for those of ``check``."""
    if last is None:
        paths = {slug: output_path(page_dir(kind, slug)) for slug in records}
        return Pass(dict(records), {path: outputs[path] for path in paths.values()}, paths, inputs_of(paths),
                    {slug: errs for slug, errs in errors_of.items() if errs}, dict(results or {}))
    made = Pass(dict(records), dict(last.outputs), last.paths, dict(last.inputs), dict(last.errors),
                dict(results or {}))
    paths = {slug: last.paths[slug] for slug in check}
    for slug, path in paths.items():
        made.outputs[path] = outputs[path]
        made.inputs.pop(path, None)
        made.errors.pop(slug, None)
        if errors_of.get(slug):
            made.errors[slug] = errors_of[slug]
    made.inputs.update(inputs_of(paths))
    return made


def _not_reused(site: Site, renderer: Renderer, session: Session, results: dict, outputs: dict,
                errors: list) -> tuple[list[str], Pass | None, dict]:
    """The articles whose pages must be made; the others' last pages go into ``results``/``outputs``.
    Also the last build's ``Pass`` when every report whose record is the last build's was taken from it
    whole (``Session.pass_since``), else None; and the reports looked at."""
    todo = []
    steady = session.steady(renderer.frame, site)
    last = session.pass_since("articles", renderer.coverage)
    check = last and take_pass(last, site.articles, (), session, outputs, errors)
    if check is None:
        check, last = site.articles, None  # every report asks the memo
    else:  # every other report is the last build's, page and facts
        results.update(last.results)
        for slug in check:
            del results[slug]
    for slug, art in check.items():
        path = output_path(page_dir("article", slug))
        res = session.markdown(path, article_md_key(site, slug, session))
        d = res and _reused(site, renderer, session, path, art, res, steady)
        if d:
            results[slug], outputs[path] = res, d
            errors.extend(res.errors)
        else:
            todo.append(slug)
    return todo, last, check


def _reused(site: Site, renderer: Renderer, session: Session, path: str, art, res: ArticleResult,
            steady: bool) -> str | None:
    """The digest of the last build's page at ``path`` when it stands for this build's."""
    coverage = renderer.coverage.get(art.slug, ())
    # With ``Session.quiet``, a view made of the last build's inputs is the last build's view: not made.
    return (session.same_inputs(path, (art, coverage)) and session.quiet and session.reuse_if(path, _any)
            or steady and session.reuse_if(path, partial(_same_article, art, coverage_of(site, coverage)))
            or session.reuse(path, article_key(renderer, res)))


def render_articles(site: Site, renderer: Renderer, session: Session, staging: Staging, opts: Options,
                    outputs: dict, errors: list, split: list | None = None,
                    release: bool = False, spool: Spool | None = None,
                    beside: Callable[[], None] | None = None) -> dict[str, ArticleResult]:
    """Article pages (Markdown, then the page, in the workers): article slug -> what each reported;
    ``split`` gets the workers' seconds on pages and on the exports' part (see ``split_exports``);
    ``release``: this process lets the bodies go once the workers are forked (``release_bodies``);
    ``spool``: each report's text and words wait there for the exports (:mod:`dossier.spool`);
    ``beside()``: called here once the workers are forked (only then), while they render."""
    split = [0.0, 0.0] if split is None else split
    results: dict[str, ArticleResult] = {}
    todo, last, check = _not_reused(site, renderer, session, results, outputs, errors) if session.remembers \
        else (list(site.articles), None, site.articles)
    if len(todo) >= pool.PARALLEL_MIN:
        renderer.warm()
    if opts.progress and len(todo) >= 500:
        opts.progress(f"rendering {len(todo)} articles")
    state = RenderState(renderer, staging, spool=spool)

    def forked() -> None:
        if release:
            _bodies_go(state, site, renderer)
        if beside is not None:
            beside()
    size, spread = EXPORTS_BATCH, pool.spreads(len(todo), opts.workers)  # spread or not by the reports' number
    batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    made = pool.run(_render_articles_task, batches, state, opts.workers, minimum=1 if spread else len(batches) + 1,
                    forked=forked if release or beside is not None else None, per_item=size)
    for res, d, page_s, exports_s in (got for batch in made for got in batch):
        split[0] += page_s
        split[1] += exports_s
        errors.extend(res.errors)
        if d:
            path = output_path(page_dir("article", res.slug))
            results[res.slug], outputs[path] = res, d
            session.unstage_if_same(staging, path, d)
            if session.remembers:  # the key is a view: worth making only for a next build
                session.remember(path, article_key(renderer, res), d, (article_md_key(site, res.slug, session), res))
    results = {slug: results[slug] for slug in site.articles if slug in results}
    if session.remembers and len(results) == len(site.articles):  # every page made: the next build may take them
        coverage = renderer.coverage
        session.keep_pass("articles", lambda: next_pass(
            "article", last, check, site.articles, outputs,
            lambda paths: {path: (site.articles[slug], coverage.get(slug, ())) for slug, path in paths.items()},
            {slug: results[slug].errors for slug in check}, results), coverage)
    return results
