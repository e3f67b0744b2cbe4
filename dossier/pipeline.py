"""The build: load -> assemble -> render -> emit -> write, in two phases.

``Builder`` keeps what it loaded and rendered between builds (for the preview
server): a source is re-read only when it changed, and a page is re-rendered
only when the inputs it was rendered from changed (its memo key), so an
incremental build produces exactly what a clean build would.
"""
from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import load as loader, pool
from .config import load_config
from .emit import ArticleResult, Renderer, feed_xml, robots_txt, sitemap_xml, TYPE_LABELS
from .index import build_index, other_coverage
from .errors import DossierError, ErrorList
from .markdown.sidenotes import KIND_LABELS
from .model import ANNOTATION_KINDS, Output
from .markdown import make_md
from .outdir import check as check_output, recover as recover_output
from .render import DEFAULT_LAYOUTS, layout_dirs, make_env, template_error
from .passages import SharedPassages, sentence_keys
from .site import Site, assemble
from .sources import scan_content, scan_layouts
from .urls import Urls, output_path, page_dir
from .write import Staging, digest

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


@dataclass(frozen=True)
class RenderState:
    """What the render tasks need, handed to the worker processes by the pool's initializer."""

    renderer: Renderer
    staging: Staging
    entity_args: dict = field(default_factory=dict)  # entity slug -> (mentions, together, annotations)


def _render_article_task(state: RenderState, slug: str) -> tuple[ArticleResult, str]:
    try:
        res = state.renderer.article(slug)
    except jinja2.TemplateError as exc:
        path, line, msg = template_error(exc, state.renderer.root)
        return ArticleResult(slug, None, [(path, line, msg)], [], []), ""
    d = state.staging.put(res.output)
    res.output = None  # the bytes stay on disk, not in the pipe or the memo
    return res, d


def _scan_task(site: Site, slug: str) -> tuple[frozenset, list[int]]:
    body = site.articles[slug].body
    keys = sentence_keys(body) if site.config.shared_passages else []
    return frozenset(site.matcher.entities_in(body)), keys


def _render_entity_task(state: RenderState, slug: str) -> tuple:
    mentions, together, annotations = state.entity_args[slug]
    try:
        out, errors = state.renderer.entity(slug, mentions, together, annotations)
    except jinja2.TemplateError as exc:
        return slug, "", [template_error(exc, state.renderer.root)]
    return slug, state.staging.put(out), errors


def _layouts(root: Path) -> tuple[tuple, list, list]:
    """(signature of every layout file, the files, problems): links out of bounds are problems, never read."""
    files, problems = scan_layouts(root, layout_dirs(root), DEFAULT_LAYOUTS)
    sig = []
    for _d, _rel, path in files:
        st = path.stat()
        sig.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(sig), files, problems


class Builder:
    def __init__(self, root: Path, out: Path | None = None, base_url: str | None = None, *, strict: bool = False,
                 workers: int | None = None, progress=None, swap: bool = True,
                 preview: bool = False) -> None:
        self.root = Path(root).resolve()
        self.preview = preview  # the preview server's build: no origin needed
        self.swap = swap  # swap whole trees in (a kill leaves the old or the new); False: file by file
        self.out = Path(os.path.abspath(out)) if out else self.root / "output"  # a link is refused, not followed
        self.base_url = base_url
        self.strict = strict
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
        self.progress = progress
        self._loaded: dict[str, tuple[tuple, loader.Loaded]] = {}  # path -> (stat stamp, result)
        self._memo: dict[str, tuple] = {}  # output path -> (key, digest, extra)
        self._digests: dict[str, str] = {}  # output path -> digest of what the output folder holds
        self._global_key = None
        self._tools = None  # (templates signature, Markdown parser, Jinja2 environment), kept between builds
        self._files = None  # content files of the last build
        self._scan_problems: list = []  # what the last walk of content/ found (links out, files not read)
        self._layout_files: list = []  # the vetted layout files of this build
        self._scans: dict[str, tuple] = {}  # article slug -> (Article, (entity set, sentence keys))
        self._shared = SharedPassages()
        self._coverage = None  # (entity sets, coverage) of the last build

    # -- loading --------------------------------------------------------------------
    def _content_files(self, changed) -> list:
        """All content files; with a set of changed paths, the last list updated (no walk of the tree)."""
        known = self._files
        if changed is None or known is None or any(self._needs_scan(p) for p in changed):
            self._files, self._scan_problems = scan_content(self.root)
            return self._files
        files = dict.fromkeys(known)
        for path in changed:
            kind = loader.kind_of(self.root, path)
            if kind is None:
                continue
            if path.is_file():
                files[(kind, path)] = None
            else:
                files.pop((kind, path), None)
        self._files = sorted(files, key=lambda kp: (loader.KINDS.index(kp[0]), kp[1]))
        return self._files

    def _needs_scan(self, path: Path) -> bool:
        """A change the file list cannot take in by itself: a folder, a link, a file under content/ not read."""
        if path.is_dir() or path.is_symlink():
            return True
        return loader.kind_of(self.root, path) is None and path.is_relative_to(self.root / "content")

    def _load(self, changed) -> tuple[list, list, frozenset]:
        files = self._content_files(changed)
        records, errors = [], list(self._scan_problems)
        live = set()
        todo = []
        stamps = {}
        for kind, path in files:
            key = str(path)
            live.add(key)
            if changed is not None and key in self._loaded and path not in changed:
                continue  # the watcher says it did not change
            try:
                st = path.stat()
            except OSError:
                continue
            stamps[key] = (st.st_mtime_ns, st.st_size)
            cached = self._loaded.get(key)
            if cached is None or cached[0] != stamps[key] or (changed is not None and path in changed):
                todo.append((kind, path))
        # Parsing runs in this process: sending parsed records back from workers costs more than it saves.
        for kind, path in todo:
            self._loaded[str(path)] = (stamps[str(path)], loader.load_file(self.root, kind, path))
        failed = set()  # slugs of records that did not load: later stages stay quiet about them
        for kind, path in files:
            cached = self._loaded.get(str(path))
            if cached is None:
                continue
            records.extend(cached[1].records)
            errors.extend(cached[1].errors)
            if kind != "annotations" and not cached[1].records and cached[1].errors:
                failed.add(path.stem)
        for key in list(self._loaded):
            if key not in live:
                del self._loaded[key]
        return records, errors, frozenset(failed)

    # -- the build ------------------------------------------------------------------
    def build(self, changed=None) -> BuildResult:
        # A build allocates millions of short-lived objects and few cycles: the cyclic collector
        # would walk the whole loaded archive again and again, so it waits until the end.
        if self.preview:  # the server's threads keep their collector
            return self._build(changed)
        with pool.no_cyclic_gc():
            return self._build(changed)

    def _build(self, changed=None) -> BuildResult:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        mark = [t0]

        def lap(name: str) -> None:
            now = time.perf_counter()
            timings[name] = timings.get(name, 0.0) + now - mark[0]
            mark[0] = now

        check_output(self.root, self.out, DEFAULT_LAYOUTS)  # raises OutputError before anything is touched
        recover_output(self.out)
        errs = ErrorList(self.root)
        config = load_config(self.root, errs, base_url=self.base_url, need_origin=not self.preview)
        tsig, self._layout_files, problems = _layouts(self.root)
        errs.extend(problems)
        # Folders resolved, the name kept: a link that changed is seen as the link, never as its target.
        changed = {Path(p).parent.resolve() / Path(p).name for p in changed} if changed is not None else None
        records, load_errors, failed = self._load(changed)
        errs.extend(load_errors)
        lap("load")
        # Later stages run on what loaded cleanly, so every mistake of a run is reported at once.
        site = assemble(config, records, errs, failed)
        urls = Urls(config.base_path, config.origin)
        lap("assemble")

        # What every page depends on: when it changes, nothing rendered before is reused.
        global_key = (config, tsig, tuple((e.slug, e.name, e.aliases, e.type, e.description) for e in site.entities.values()),
                      tuple((a.slug, a.title, a.published, a.outlet, a.story, a.byline) for a in site.articles.values()),
                      tuple((p.slug, p.title, p.order) for p in site.pages.values()))
        if global_key != self._global_key:
            self._memo.clear()
            self._scans.clear()
            self._shared = SharedPassages()
            self._coverage = None
        memo_before = dict(self._memo)

        # One parallel pass over every new or changed body: the entities it names (to rank
        # other coverage) and its sentence keys (to find shared passages).
        for slug in [s for s in self._scans if s not in site.articles]:
            del self._scans[slug]
        todo = [slug for slug, a in site.articles.items() if self._scans.get(slug, (None,))[0] is not a]
        for slug, scan in zip(todo, pool.run(_scan_task, todo, site, self.workers, minimum=2000)):
            self._scans[slug] = (site.articles[slug], scan)
        entity_sets = {slug: self._scans[slug][1][0] for slug in site.articles}
        lap("index")
        if config.shared_passages:
            keys = {slug: self._scans[slug][1][1] for slug in site.articles}
            for slug, anns in sorted(self._shared.update(site, keys).items()):
                site.annotations[slug] = site.annotations.get(slug, ()) + anns
        lap("passages")

        # Phase 2: everything is known; render.
        if self._coverage is not None and self._coverage[0] == entity_sets:
            coverage = self._coverage[1]
        else:
            coverage = other_coverage(site, entity_sets)
            self._coverage = (entity_sets, coverage)
        lap("index")
        if self._tools is None or self._tools[0] != tsig:
            self._tools = (tsig, make_md(), make_env(self.root))
        renderer = Renderer(self.root, site, urls, coverage, md=self._tools[1], jinja=self._tools[2])
        staging = Staging(self.out)
        staging.begin()
        outputs: dict[str, str] = {}  # path -> digest, every output of this build
        errors: list = []
        commit = None
        try:
            self._render_all(site, urls, renderer, staging, coverage, global_key, outputs, errors, lap)
            for path, line, msg in errors:
                errs.add(self.root / path, line, msg)
            if self.strict:
                errs.items = [DossierError(e.path, e.line, e.message) for e in errs.items]
            if not errs:
                commit = staging.commit(outputs, swap=self.swap)
        finally:
            if commit is None:  # nothing of this build reached the output folder
                staging.discard()
                self._memo = memo_before
                self._coverage = None
        if commit is None:
            return self._fail(errs, t0, timings)
        self._digests = outputs
        if commit.missing:  # someone removed files from the output folder: render everything next time
            self._memo.clear()
            self._digests = {}
        self._global_key = global_key
        lap("write")
        pages = sum(1 for p in outputs if p.endswith(".html"))
        return BuildResult(True, (), errs.sorted(), pages, commit.written, commit.removed,
                           time.perf_counter() - t0, timings, self.out, commit.kept, commit.kept_changed)

    def _fail(self, errs: ErrorList, t0: float, timings: dict) -> BuildResult:
        items = errs.sorted()
        return BuildResult(False, tuple(e for e in items if not e.warning), tuple(e for e in items if e.warning),
                           seconds=time.perf_counter() - t0, timings=timings, out=self.out)

    def _unstage_if_same(self, staging: Staging, path: str, d: str) -> None:
        """A re-rendered page that came out byte for byte as before is not rewritten."""
        if self._digests.get(path) == d and (self.out / path).exists():
            (staging.dir / path).unlink()

    def _emit(self, staging: Staging, outputs: dict, out: Output) -> str:
        d = digest(out.data)
        outputs[out.path] = d
        if self._digests.get(out.path) != d or not (self.out / out.path).exists():
            staging.put(out)
        return d

    def _render_all(self, site: Site, urls: Urls, renderer: Renderer, staging: Staging, coverage: dict,
                    global_key, outputs: dict, errors: list, lap) -> None:
        memo = self._memo
        # Articles: the memo key is every input of the page except the global ones.
        art_keys = {}
        todo = []
        for slug, art in site.articles.items():
            key = (art, site.annotations.get(slug, ()), tuple(coverage.get(slug, ())))
            art_keys[slug] = key
            path = output_path(page_dir("article", slug))
            hit = memo.get(path)
            if hit is None or hit[0] != key:
                todo.append(slug)
        state = RenderState(renderer, staging)
        if self.progress and len(todo) >= 500:
            self.progress(f"rendering {len(todo)} articles")
        results = pool.run(_render_article_task, todo, state, self.workers)
        for res, d in results:
            errors.extend(res.errors)
            if d:
                path = output_path(page_dir("article", res.slug))
                memo[path] = (art_keys[res.slug], d, res)
                self._unstage_if_same(staging, path, d)
        for slug in site.articles:
            path = output_path(page_dir("article", slug))
            if path in memo:
                outputs[path] = memo[path][1]
        lap("articles")

        results_by_slug = {slug: memo[output_path(page_dir("article", slug))][2] for slug in site.articles
                           if output_path(page_dir("article", slug)) in memo}
        index = build_index(site, results_by_slug)
        ent_tasks, ent_keys, ent_args = [], {}, {}
        for slug in site.entities:
            tog = index.together.get(slug, ())
            tog_view = [(site.entities[e], n) for e, n in tog]
            anns = index.annotations_of.get(slug, [])
            key = (site.entities[slug], tuple(index.mentions.get(slug, ())), tog, tuple(anns),
                   tuple(site.by_outlet.get(slug, ())))
            path = output_path(page_dir("entity", slug))
            ent_keys[slug] = key
            hit = memo.get(path)
            if hit is None or hit[0] != key:
                ent_tasks.append(slug)
                ent_args[slug] = (index.mentions.get(slug, []), tog_view, anns)
        state = RenderState(renderer, staging, ent_args)
        for slug, d, errs in pool.run(_render_entity_task, ent_tasks, state, self.workers):
            errors.extend(errs)
            if d:
                path = output_path(page_dir("entity", slug))
                memo[path] = (ent_keys[slug], d, None)
                self._unstage_if_same(staging, path, d)
        for slug in site.entities:
            path = output_path(page_dir("entity", slug))
            if path in memo:
                outputs[path] = memo[path][1]
        lap("entities")

        # The few pages that list everything: always rendered, written only if changed.
        def emit(out: Output, key=None) -> None:
            d = self._emit(staging, outputs, out)
            if key is not None:
                memo[out.path] = (key, d, None)

        def cached(path: str, key) -> bool:
            """True when the page at ``path`` was rendered from ``key`` before (it is then kept as it is)."""
            hit = memo.get(path)
            if hit is not None and hit[0] == key and path in self._digests:
                outputs[path] = hit[1]
                return True
            return False

        try:
            self._annotation_pages(site, renderer, emit, cached, index)
            self._listing_pages(site, urls, renderer, emit, cached, index.articles_of, errors)
        except jinja2.TemplateError as exc:
            errors.append(template_error(exc, self.root))
        lap("listings")

    def _listing_pages(self, site, urls, renderer: Renderer, emit, cached, articles_of_entity, errors) -> None:
        # Pages that list many records are memoised on what they show (the global key, which every
        # memo entry implies, covers titles, dates, outlets and names).
        articles = list(reversed(site.chronological()))
        counts = {e: len(a) for e, a in articles_of_entity.items()}
        main = sorted((e for e in site.entities.values() if e.type != "outlet" and counts.get(e.slug)),
                      key=lambda e: (-counts[e.slug], e.name))[:site.config.home_entities]
        timeline = sorted((e for e in site.entities.values() if e.type == "event" and e.date),
                          key=lambda e: (e.date, e.name))
        main_entities = [(e, counts[e.slug]) for e in main]
        key = (tuple(main_entities), tuple(timeline), tuple(len(site.annotations.get(a.slug, ())) for a in articles))
        if not cached("index.html", key):
            emit(renderer.page("home.html", "", site.config.title, articles=articles, main_entities=main_entities,
                               timeline=timeline), key)
        groups = []
        for typ, label in TYPE_LABELS.items():
            ents = [(e, counts.get(e.slug, 0)) for e in sorted(site.entities.values(), key=lambda e: e.name.lower())
                    if e.type == typ]
            if ents:
                groups.append((typ, label, ents))
        key = tuple(sorted(counts.items()))
        if not cached(output_path(page_dir("index", "entities")), key):
            emit(renderer.page("entities.html", page_dir("index", "entities"), "Entities", groups=groups), key)
        if not cached(output_path(page_dir("index", "outlets")), ()):
            outlets = [(site.entities[o], [site.articles[s] for s in slugs]) for o, slugs in site.by_outlet.items()
                       if o in site.entities]
            outlets.sort(key=lambda oa: oa[0].name.lower())
            emit(renderer.page("outlets.html", page_dir("index", "outlets"), "Outlets", outlets=outlets), ())
        tags = sorted(site.by_tag.items())
        key = tuple((t, len(s)) for t, s in tags)
        if not cached(output_path(page_dir("index", "tags")), key):
            emit(renderer.page("tags.html", page_dir("index", "tags"), "Tags", tags=list(key)), key)
        for tag, slugs in tags:
            if not cached(output_path(page_dir("tag", tag)), slugs):
                emit(renderer.page("tag.html", page_dir("tag", tag), f"Tagged “{tag}”", tag=tag,
                                   articles=[site.articles[s] for s in reversed(slugs)]), slugs)
        for page in site.pages.values():
            if not cached(output_path(page_dir("page", page.slug)), page):
                out, errs = renderer.free_page(page)
                errors.extend(errs)
                emit(out, None if errs else page)
        if not cached("404.html", ()):
            emit(renderer.page("404.html", "404.html", "Page not found"), ())
        if urls.origin:  # both need absolute URLs (see config.ORIGIN_HINT)
            emit(feed_xml(site, urls))
            html_pages = [p[:-len("index.html")] for p in self._pending_pages(site)]
            emit(sitemap_xml(urls, html_pages))
        emit(robots_txt(urls))
        emit(Output(".nojekyll", b""))
        if site.config.domain:
            emit(Output("CNAME", (site.config.domain + "\n").encode()))
        for rel, data in _assets(self._layout_files):
            emit(Output("assets/" + rel, data))

    def _annotation_pages(self, site: Site, renderer: Renderer, emit, cached, index) -> None:
        placed = index.placed
        by_kind = [(k, KIND_LABELS[k], [(a, art) for a, art in placed if a.kind == k])
                   for k in (*ANNOTATION_KINDS, "shared")]
        by_kind = [g for g in by_kind if g[2]]
        grouped: dict[str, list] = defaultdict(list)
        for a, art in placed:
            grouped[art.slug].append(a)
        by_article = [(art, grouped[art.slug]) for art in reversed(list(site.articles.values())) if art.slug in grouped]
        claims = index.claims
        key = tuple(placed)
        if not cached(output_path(page_dir("index", "annotations")), key):
            emit(renderer.page("annotations.html", page_dir("index", "annotations"), "Annotations", by_kind=by_kind,
                               by_article=by_article, claims=sorted(claims.items()), total=len(placed)), key)
        for claim, rows in claims.items():
            rows = sorted(rows, key=lambda r: (r[1].published, r[1].slug))
            key = tuple(rows)
            if not cached(output_path(page_dir("claim", claim)), key):
                emit(renderer.page("claim.html", page_dir("claim", claim), "Claim: " + claim.replace("-", " "),
                                   claim=claim, rows=rows), key)
        self._claims = sorted(claims)

    def _pending_pages(self, site: Site) -> list[str]:
        pages = [output_path("")]
        pages += [output_path(page_dir("article", s)) for s in site.articles]
        pages += [output_path(page_dir("entity", s)) for s in site.entities]
        pages += [output_path(page_dir("index", n)) for n in ("entities", "outlets", "tags")]
        pages += [output_path(page_dir("tag", t)) for t in site.by_tag]
        pages += [output_path(page_dir("page", p)) for p in site.pages]
        pages += [output_path(page_dir("index", "annotations"))]
        pages += [output_path(page_dir("claim", c)) for c in getattr(self, "_claims", ())]
        return pages


def _assets(layout_files: list) -> list[tuple[str, bytes]]:
    """Assets of every layouts folder (vetted by ``sources.scan_layouts``); the archive's own win over the theme's."""
    found: dict[str, Path] = {}
    for _d, rel, path in reversed(layout_files):
        if rel.startswith("assets/"):
            found[rel[len("assets/"):]] = path
    return [(rel, found[rel].read_bytes()) for rel in sorted(found)]


def build_site(root: Path, *, out: Path | None = None, base_url: str | None = None, strict: bool = False,
               workers: int | None = None, progress=None) -> BuildResult:
    """Build the archive at ``root`` into ``out`` (default ``root/output``)."""
    return Builder(root, out, base_url, strict=strict, workers=workers, progress=progress).build()
