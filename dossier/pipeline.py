"""The build, as a recipe: config -> load -> assemble -> scan -> render articles -> index ->
page views -> render -> write. Each step is a function from data to data.

The stages that render pages are in :mod:`dossier.article_pages` (article pages) and
:mod:`dossier.index_pages` (entity pages, listings, free pages); the search index and the open data in
:mod:`dossier.exports`. What the preview server keeps between builds lives in
:class:`dossier.session.Session`; the stages ask it for what it remembers (a fresh Session remembers
nothing: a clean build). Hook points for new outputs: ``render_site`` (pages made from views and the
index) and ``extra_files`` (files made from the Site); a step after the write goes in ``Builder.build``.
"""
from __future__ import annotations

import os
import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable

import jinja2

from . import exports, giveway, pool
from .article_pages import bodies_unread, release_bodies, release_mentions, render_articles, split_exports
from .config import load_config
from .emit import MentionRows, Renderer, feed_xml, robots_txt, sitemap_xml
from .errors import DossierError, ErrorList
from .giveway import each
from .index import Index, build_index, heads_of
from .index_pages import listings, render_entities, render_free_pages, render_views
from .model import Output, Unreadable, named as entities_named
from .search import FOLDER as SEARCH_FOLDER
from .outdir import check as check_output, recover as recover_output
from .render import DEFAULT_LAYOUTS, template_error
from .session import ASSET, Layouts, Session, classify
from .spool import Rows, Spool, Texts, WordsOf
from .site import Site
from .urls import Urls
from .views import data_view, not_found_view
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
    draft = session.assemble(config, records, errs, failed)
    del records  # the Site holds them (see ``release_bodies``)
    session.heads(draft)  # kept by ``with_annotations``
    session.md_key = markdown_key(draft)
    clock.lap("assemble")
    # per body: the entities it names, its sentence keys; the page templates compiled meanwhile
    scans = session.scan(draft, opts.workers, beside=partial(session.compile_pages, layouts))
    clock.lap("index")
    site = draft.with_annotations(session.shared_passages(draft, scans) if config.shared_passages else {})
    session.links_key = session.keyed("links", (site.annotations, site.claims), partial(links_key, site))
    clock.lap("passages")
    coverage = session.coverage(site, {slug: scan[0] for slug, scan in scans.items()})
    del scans
    session.release()
    md, jinja, _signatures = session.tools(layouts)
    renderer = Renderer(opts.root, site, Urls(config.base_path, config.origin), coverage, md=md, jinja=jinja,
                        view_keys=session.remembers)
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


def render_site(site: Site, renderer: Renderer, layouts: Layouts, session: Session, staging: Staging,
                opts: Options, clock: Clock) -> tuple[dict, list, Callable | None]:
    """Every output: path -> digest (staged unless the output folder has it), the errors, and what
    the preview does once the pages are served (see ``BuildResult.later``)."""
    outputs: dict[str, str] = {}
    errors: list = []
    split = [0.0, 0.0]
    release = not session.remembers and bodies_unread(layouts)
    spool = None if session.remembers else Spool.make(staging.dir)  # what the exports take of each report
    heads: dict = {}  # a one-off build's bylines and headlines, found while the article workers render
    results = render_articles(site, renderer, session, staging, opts, outputs, errors, split, release, spool,
                              beside=None if session.remembers else partial(heads_of, site, session.md_key, heads))
    clock.lap("articles")
    split_exports(clock, split)
    if release:
        release_bodies(site, renderer)
    index = build_index(site, results, session.index_memo if session.remembers else None, session.md_key,
                        lazy=not session.remembers, heads=heads)
    views = listings(renderer, site, index, session, outputs, errors)  # no template error comes from here
    gone: list = []  # a one-off build lets the mentions go once the entity pages' workers have them

    def let_go() -> None:
        gone.append(release_mentions(results, index))

    entity_split = [0.0, 0.0, 0.0]  # the entity pages' seconds, their first words', the pool's wall-clock
    listed = render_entities(site, index, renderer, session, staging, opts.workers, outputs, errors, views,
                             forked=None if session.remembers else let_go, split=entity_split)
    if not gone and not session.remembers:  # no pool: let go now
        let_go()
    named = gone[0] if gone else None
    clock.lap("entities")
    split_exports(clock, entity_split, "entities")
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
                       aside=not opts.preview and opts.workers > 1 and len(site.articles) >= pool.PARALLEL_MIN,
                       spool=spool)
        if opts.preview and carry_exports(session.outputs(), outputs):
            later = partial(finish_exports, opts, session, make)
            session.behind = True
        else:
            outputs.update(make(staging, outputs, clock))  # staged as they are made, in their stages' time
    if spool is not None:
        spool.close()  # gone before the staging folder becomes the output
    for out in extra_files(site, renderer.urls, layouts, outputs, session.keyed):
        outputs[out.path] = session.stage(staging, out)
    clock.lap("listings")
    return outputs, errors, later


def carry_exports(previous: dict, outputs: dict) -> bool:
    """Keep the last build's search index and data files in ``outputs``; False when there are none."""
    old = {p: d for p, d in previous.items() if p.startswith(EXPORTED)}
    outputs.update(old)
    return bool(old)


def finish_exports(opts: Options, session: Session, make: Callable, give_way: Callable[[], bool] | None = None,
                   writing: Callable | None = None) -> BuildResult:
    """The preview's second step of a rebuild, its pages served: the search index and the data files.

    ``give_way``: asked at the update's check points (:mod:`dossier.giveway`); once it answers true, the
    update stops with ``giveway.GaveWay``, before any of its files reached the output folder, and the
    session's ``exports.Memory`` is as it was: the next rebuild makes them instead. ``writing``: a context
    manager held while the files move into the output folder (the preview's page requests wait)."""
    clock = Clock()
    memory = session.exports
    before = memory.snapshot()

    def change(staging: Staging, outputs: dict) -> None:
        with giveway.giving_way(give_way):
            made = make(staging, outputs, clock)  # staged as they are made
            giveway.check()  # the last one: from here on the files move in
        for path in [p for p in outputs if p.startswith(EXPORTED)]:
            del outputs[path]
        outputs.update(made)

    try:
        with pool.no_cyclic_gc():  # as a build: the collector's walks of the archive are long and not asked
            commit = amend_output(opts, session, change, writing)
    except BaseException:  # gave way (or failed): nothing of it was committed, nor is it remembered
        memory.restore(before)
        raise
    session.behind = False
    clock.lap("write")
    return BuildResult(True, written=commit.written, removed=commit.removed, seconds=time.perf_counter() - clock.start,
                       timings=clock.timings, out=opts.out)


def export_files(site: Site, renderer: Renderer, results: dict, index: Index, session: Session, staging: Staging,
                 outputs: dict, clock: Clock, rendered: frozenset = frozenset(), aside: bool = False,
                 named: dict | None = None, spool: Spool | None = None) -> dict[str, str]:
    """The search index, the open data and the Data page, read from the pages this build made.
    ``rendered``: output paths of the pages rendered in this build (``Session.rendered``); every other
    page, and its entry in ``results``, is the last build's, unchanged.  ``aside``: the search index is
    made in a forked process while this one makes the open data (``exports.Built.aside``). ``named``:
    article slug -> the entities its body names, when the mentions were let go (``release_mentions``).
    ``spool``: the reports' texts and words wait there, not in ``results`` (:mod:`dossier.spool`)."""
    if named is None:
        named = {s: set(entities_named(r.mentions)) for s, r in each(results.items())}
    notes = {(s, ann_id): html for s, r in each(results.items()) for ann_id, html in r.notes.items()}

    def read(path: str) -> bytes:
        staged = staging.dir / path
        return staged.read_bytes() if staged.exists() else (staging.out / path).read_bytes()

    built = exports.Built(
        site, renderer.urls, outputs, read, named,
        {s: tuple(r.anchored) for s, r in each(results.items())}, tuple(index.claims),
        Texts(spool, results) if spool else {s: r.text for s, r in each(results.items())},
        Rows(spool, results) if spool else MentionRows(results),
        lambda ann: notes.get((ann.article, ann.id)) or renderer.markdown(ann.note, ann.source, ann.note_line - 1, []),
        lambda files: renderer.render(data_view(renderer.frame, files)),
        WordsOf(spool, results) if spool else {s: r.words for s, r in each(results.items()) if r.words is not None},
        session.outputs(),
        partial(session.stage, staging), aside, session.remembers, partial(session.stage_pieces, staging),
        {s: r.data_keys for s, r in each(results.items()) if r.data_keys} if session.remembers else {},
        {s: r.search_facts for s, r in each(results.items()) if r.search_facts} if session.remembers else {})
    return exports.exports(built, session.exports, clock.lap)


def extra_files(site: Site, urls: Urls, layouts: Layouts, outputs: dict,
                keyed: Callable | None = None) -> list[Output]:
    """The feed, the sitemap (of the pages in ``outputs``), robots.txt, and the theme's assets.
    ``keyed``: ``Session.keyed``, which gives the last feed and sitemap while what they read is the same."""
    files = []
    if urls.origin:  # both need absolute URLs (see config.ORIGIN_HINT)
        keyed = keyed or (lambda _name, _inputs, make: make())
        where = (urls.base_path, urls.origin)
        pages = [p[:-len("index.html")] for p in outputs if p.endswith("index.html")]
        # The feed reads the articles' heads (every one: ``Session.heads`` gave them), their outlets and the config.
        files.append(keyed("feed", (where, site.config, list(site.heads.values()), tuple(site.entities.values())),
                           partial(feed_xml, site, urls)))
        files.append(keyed("sitemap", (where, set(pages)), partial(sitemap_xml, urls, pages)))
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
        self.session.passes = preview
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
        try:
            return self._build(changed)
        finally:
            pool.ended()  # no process the build forked outlives it

    def _build(self, changed=None) -> BuildResult:
        if changed is not None:
            # Folders resolved, the name kept: a link that changed is seen as the link, never as its target.
            changed = {Path(p).parent.resolve() / Path(p).name for p in changed}
            # Only assets: copied, nothing built (but not while the output's search index and data are an
            # older build's: a build of its own gives the update that brings them up to date).
            if self._last is not None and self._last.ok and changed and not self.session.behind and \
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
            try:
                self._last = build(self.opts, self.session, changed)
            except Unreadable:  # a part of the cache read on demand was forged: as if there were no cache
                if self.cache is None:
                    raise
                self.cache.forget()
                self.session, remembers = Session(self.root), self.session.remembers
                self.session.remembers = remembers
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


def amend_output(opts: Options, session: Session, change: Callable[[Staging, dict], None],
                 writing: Callable | None = None):
    """Change a few files of the last good build's output: ``change(staging, outputs)`` stages them
    and edits ``outputs`` (path -> digest, what the folder holds); then they are committed (``writing``:
    a context manager held meanwhile, see ``finish_exports``)."""
    check_output(opts.root, opts.out, DEFAULT_LAYOUTS)
    recover_output(opts.out)
    outputs = session.outputs()
    staging = Staging(opts.out)
    staging.begin()
    try:
        change(staging, outputs)
        with writing() if writing is not None else nullcontext():
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
