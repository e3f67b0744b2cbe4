"""What the preview keeps between builds, around the same stages a clean build runs.

A :class:`Session` holds: the stat cache of loaded files, the file list, the scan of each
article body, the shared-passage index, other coverage, the Markdown parser and Jinja2
environment (while the templates are unchanged), the Markdown facts of each page, and the
page memo: output path -> (signature of the templates the page uses, its view's key, digest).
A page is reused only when its view and its templates are equal to last time's, so an
incremental build equals a clean build for any theme. A fresh Session remembers nothing:
that is the clean build.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
from dataclasses import dataclass
from typing import Callable
from pathlib import Path

from . import exports, index, load as loader, pool
from .index import Coverage, other_coverage
from .markdown import make_md
from .model import head_of
from .passages import SentenceKeys, SharedPassages, sentence_keys
from .render import DEFAULT_LAYOUTS, compile_pages, layout_dirs, make_env, template_signatures
from .site import Site, assemble, reassemble
from .sources import scan_content, scan_layouts
from .write import Staging, digest

ASSET, TEMPLATE, CONTENT, CONFIG = "asset", "template", "content", "config"
KEPT = {"_loaded": dict, "_scans": dict, "_shared": SharedPassages, "_coverage": (tuple, type(None)),
        "_markdown": dict, "_pages": dict, "_md_key": (tuple, type(None)), "exports": exports.Memory,
        "_around": (tuple, type(None)), "_heads": dict, "index_memo": index.Memo,
        "_template_refs": dict, "listing_inputs": dict}
LISTINGS = ("listings", "listing pages")  # what the build cache keeps of ``Session._inputs`` (``listing_inputs``)


class MarkdownKey(tuple):
    """``Session.md_key``: a tuple of its own type, so that the build cache writes it once and the
    Markdown key of each page refers to it (see ``dossier.cache``)."""

    __slots__ = ()


class Digested:
    """Inputs of a page's view (``Session.same_inputs``) compared by value, or, where one side is what the build
    cache kept of them (their digest only: a cache holds no second copy of the index), by the digest of their
    pickle, made once, on first use. Pickled, it is that digest. Equal digests are equal pickles, which unpickle
    to equal values; equal values whose pickles differ (a set in another order) only compare unequal: their
    pages are made again, as with no memory."""

    __slots__ = ("value", "_digest")

    def __init__(self, value, digest: str | None = None) -> None:
        self.value, self._digest = value, digest

    def digest(self) -> str:
        """Of a pickle made without its memo (``Pickler.fast``): of the values alone, not of which of them are one
        object (a slug read back from the cache in one list, made again in another)."""
        if self._digest is None:
            f = io.BytesIO()
            pickler = pickle.Pickler(f, pickle.HIGHEST_PROTOCOL)
            pickler.fast = True
            try:
                pickler.dump(self.value)
            except (pickle.PicklingError, AttributeError, ValueError, TypeError, RecursionError):  # a cycle: equal to nothing
                f = io.BytesIO(os.urandom(16))
            self._digest = hashlib.blake2b(f.getbuffer(), digest_size=16).hexdigest()
        return self._digest

    def __eq__(self, other) -> bool:
        if not isinstance(other, Digested):
            return NotImplemented
        if self.value is not None and other.value is not None:
            return self.value == other.value
        return self.digest() == other.digest()

    __hash__ = None

    def __reduce__(self):
        return Digested, (None, self.digest())


@dataclass(frozen=True)
class Layouts:
    files: list  # (layouts folder, relative path, path), vetted by sources.scan_layouts
    problems: list
    stamp: tuple  # (path, mtime, size) of every template (assets excluded)


def classify(root: Path, path: Path) -> str:
    """The kind of a changed path: asset, template, config (site.yaml) or content (anything else)."""
    for d in (root / "layouts", DEFAULT_LAYOUTS):
        if path.is_relative_to(d):
            return ASSET if path.relative_to(d).parts[:1] == ("assets",) else TEMPLATE
    return CONFIG if path == root / "site.yaml" else CONTENT


SPLIT_MIN = 400  # files or bodies: from this many on, read or scanned in ``workers`` processes (pool.shared)


def _load_task(root: Path, item: tuple) -> tuple:
    """(stat stamp, digest of the file's bytes, what loading gave); None for the latter when the bytes
    have the digest ``known`` (a build cache's stamps are another checkout's: the bytes decide).
    ``stamp`` None: the file is stat'ed here, before it is read (a first load reads every file, so
    nothing waits for a stat of each in the build's process); a file gone by then gives (None, None, None).
    ``stamp`` ``ONCE``: a one-off build's load (``Session.remembers`` false), which keeps neither stamp
    nor digest for a next build: the file is read at once, neither stat'ed nor digested, and comes back
    as (``ONCE``, "", what loading gave); where it cannot be read, it goes as a first load's would."""
    kind, path, stamp, known = item
    if stamp == ONCE:
        try:
            data = read_file(path)
        except OSError:  # gone (passed over) or unreadable (the loader reports it): as a first load does
            got = _load_task(root, (kind, path, None, None))
            return got if got[0] is None else (ONCE, "", got[2])
        return ONCE, "", loader.load_file(root, kind, path, data)
    if stamp is None:
        try:
            stamp = stat_stamp(path)
        except OSError:
            return None, None, None
    try:
        data = read_file(path)
    except OSError:
        return stamp, None, loader.load_file(root, kind, path)  # the loader reports it
    d = digest(data)
    return stamp, d, None if d == known else loader.load_file(root, kind, path, data)


ONCE = "once"  # a one-off build's stamp of a loaded file, never compared with a file's (see ``_load_task``)
_READ = 1 << 16  # bytes a read asks for (a report is a few kB: one read, then one that finds the end)


def read_file(path: Path | str) -> bytes:
    """The file's bytes (``Path.read_bytes``), read with ``os.open`` and ``os.read``: without the
    buffered file object's own calls and its ``fstat`` (a build reads 14,000 files at 10,000 reports)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = []
        while chunk := os.read(fd, _READ):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks) if len(chunks) != 1 else chunks[0]


def stat_stamp(path: Path | str) -> tuple:
    """What says a loaded file may have changed since."""
    st = os.stat(path)  # (a path's string: without pathlib's steps, for each of 14,000 files a build)
    return st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino


def _scan_task(site: Site, slug: str) -> tuple[frozenset, SentenceKeys]:
    body = site.articles[slug].body
    keys = sentence_keys(body) if site.config.shared_passages else ()
    return frozenset(site.matcher.entities_in(body)), SentenceKeys(keys)


class Session:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._loaded: dict[str, tuple] = {}  # path -> (stat stamp, bytes digest, loader.Loaded)
        self._files = None  # content files of the last build
        self._file_keys: dict = {}  # str(path) -> (kind, path) of each of ``_files``
        self._last_load: tuple | None = None  # (files, records, errors, failed, where each file's records are)
        self._scan_problems: list = []  # what the last walk of content/ found
        self._scans: dict[str, tuple] = {}  # article slug -> (Article, (entity set, sentence keys))
        self._shared = SharedPassages()
        self._coverage = None  # (entity sets, coverage)
        self._tools = None  # (templates stamp, Markdown parser, Jinja2 environment, signatures)
        self._template_refs: dict = {}  # digest of a template's bytes -> the templates it names (``template_signatures``)
        self._markdown: dict[str, tuple] = {}  # output path -> (Markdown key, facts)
        self._pages: dict[str, tuple] = {}  # output path -> (templates signature, view key, digest)
        self._digests: dict[str, str] = {}  # output path -> digest of what the output folder holds
        self._new: dict = {}  # this build's memo entries, kept only if it succeeds
        self._md_key = None  # what Markdown reads of the whole archive, this build
        self.links_key = ""  # what wikilinks to passages and claims are checked against (pipeline.links_key)
        self.exports = exports.Memory()  # page texts, the last search index and data files
        self.behind = False  # the output's search index and data are an older build's (the preview's ``later`` owed)
        self._around = None  # what every article page reads of the whole archive, last build (``steady``)
        self._around_new = None
        self._heads: dict[str, tuple] = {}  # article slug -> (Article, ArticleHead, wikilink in its body?), last build
        self._heads_new: dict | None = None
        self._inputs: dict = {}  # output path -> what made its view, last build (``same_inputs``)
        self._inputs_new: dict | None = None
        self.quiet = False  # ``steady`` and no article's head changed since the last build (``heads``)
        self.index_memo = index.Memo()  # co-occurrence, bylines and headlines of the last build's articles
        # What the article and the entity pass of the last build that reached the output folder gave
        # (``pass_since``): kind -> (its pass, Markdown key, links key, templates' signatures, other keys).
        self._passes: dict[str, tuple] = {}
        self.passes = False  # keep them (the preview: its next build comes soon, in this process)
        self._passes_new: dict[str, tuple] = {}
        self._keyed: dict[str, tuple] = {}  # name -> (inputs, what was made of them), last build (``keyed``)
        self._assembled: tuple | None = None  # (records, the Site assembled of them without an error), last build
        self.remembers = True  # False: one build and no build cache (``build_site``): no page memo to fill

    # -- load ------------------------------------------------------------------------
    def layouts(self) -> Layouts:
        files, problems = scan_layouts(self.root, layout_dirs(self.root), DEFAULT_LAYOUTS)
        stamp = []
        for _d, rel, path in files:
            if not rel.startswith("assets/"):
                st = path.stat()
                stamp.append((str(path), st.st_mtime_ns, st.st_size))
        return Layouts(files, problems, tuple(stamp))

    def _content_files(self, changed) -> list:
        """All content files; with a set of changed paths, the last list updated (no walk of the tree):
        the very list while no file came or went."""
        known = self._files
        if changed is None or known is None or any(self._needs_scan(p) for p in changed):
            self._files, self._scan_problems = scan_content(self.root)
            self._file_keys = {str(path): (kind, path) for kind, path in self._files}
            return self._files
        keys = self._file_keys
        if all(str(p) in keys and p.is_file() for p in changed if loader.kind_of(self.root, p) is not None):
            return known  # no file came or went
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
        self._file_keys = {str(path): (kind, path) for kind, path in self._files}
        return self._files

    def _needs_scan(self, path: Path) -> bool:
        """A change the file list cannot take in by itself: a folder, a link, a file under content/ not read."""
        if path.is_dir() or path.is_symlink():
            return True
        return loader.kind_of(self.root, path) is None and path.is_relative_to(self.root / "content")

    def load(self, changed, workers: int = 1) -> tuple[list, list, frozenset]:
        """(records, errors, slugs of the files that failed to load); a file is parsed again only
        when it changed (the watcher said so, or its stat stamp moved). Many files are read and
        parsed in ``workers`` processes. While the list of files is the last build's, only the
        changed files are looked at, and their records take their old ones' places."""
        files = self._content_files(changed)
        last = self._last_load
        if changed is not None and last is not None and last[0] is files and len(last[4]) == len(files):
            keys = self._file_keys
            todo = []
            for path in changed:
                hit = keys.get(str(path))
                if hit is None:
                    continue  # not a content file (a template, site.yaml, an asset)
                try:
                    stamp = stat_stamp(path)
                except OSError:
                    continue
                todo.append((hit[0], path, stamp, self._loaded.get(str(path))))
            self._load_files(todo, workers)
            got = self._patched(last, [str(path) for _kind, path, _stamp, _cached in todo])
            if got is not None:
                return got
        else:
            self._load_files(self._todo(files, changed), workers)
            live = self._file_keys if files is self._files else {str(path) for _kind, path in files}
            for key in [k for k in self._loaded if k not in live]:
                del self._loaded[key]
        return self._records(files)

    def _todo(self, files: list, changed) -> list:
        """(kind, path, stat stamp, what loading it gave last) of the files to read and parse."""
        first = not self._loaded  # every file is read: each is stat'ed where it is read (``_load_task``)
        stamp = None if self.remembers else ONCE  # a one-off build: never stat'ed, nor digested
        todo = []
        for kind, path in files:
            key = str(path)
            if first:
                todo.append((kind, path, stamp, None))
                continue
            if changed is not None and key in self._loaded and path not in changed:
                continue  # the watcher says it did not change
            try:
                stamp = stat_stamp(key)
            except OSError:
                continue
            cached = self._loaded.get(key)
            if cached is None or cached[0] != stamp or (changed is not None and path in changed):
                todo.append((kind, path, stamp, cached))
        return todo

    def _load_files(self, todo: list, workers: int) -> None:
        items = [(kind, path, stamp, cached and cached[1]) for kind, path, stamp, cached in todo]
        for (_kind, path, _stamp, cached), (stamp, d, result) in zip(todo, pool.shared(_load_task, items, self.root,
                                                                                       workers, SPLIT_MIN)):
            if stamp is not None:  # None: gone before it was read, as if the walk had not seen it
                self._loaded[str(path)] = (stamp, d, cached[2] if result is None else result)

    def _records(self, files: list) -> tuple[list, list, frozenset]:
        records, errors, failed = [], list(self._scan_problems), set()
        where = {}  # str(path) -> (its records' start in ``records``, what loading it gave)
        for kind, path in files:
            key = str(path)
            cached = self._loaded.get(key)
            if cached is None:
                continue
            where[key] = (len(records), cached[2])
            records.extend(cached[2].records)
            errors.extend(cached[2].errors)
            if kind != "annotations" and not cached[2].records and cached[2].errors:
                failed.add(path.stem)  # later stages stay quiet about it
            elif kind == "annotations" and any(not e.warning for e in cached[2].errors):
                failed.add(f"annotations:{path.stem}")  # links to its passages and claims: no knock-on errors
        failed = frozenset(failed)
        if self.remembers:  # for a next load's ``_patched``; a one-off build has none (and lets the bodies go)
            self._last_load = (files, records, errors, failed, where)
        return records, list(errors), failed

    def _patched(self, last: tuple, keys: list) -> tuple | None:
        """The last load's records with those of the files ``keys`` in their places, when each of these
        gave as many records as before and neither now nor before an error; else None."""
        files, records, errors, failed, where = last
        records = list(records)
        for key in keys:
            cached, hit = self._loaded.get(key), where.get(key)
            if hit is None or cached is None:
                return None
            start, old = hit
            new = cached[2]
            if new is old:
                continue
            if old.errors or new.errors or len(new.records) != len(old.records):
                return None
            records[start:start + len(new.records)] = new.records
            where[key] = (start, new)
        self._last_load = (files, records, errors, failed, where)
        return records, list(errors), failed

    def assemble(self, config, records: list, errors, failed: frozenset) -> Site:
        """``site.assemble``; after a build whose records assembled without an error, from that build's
        Site when only a few records changed in ways the rest of the Site does not read (``reassemble``)."""
        last = self._assembled if self.remembers else None
        site = last and reassemble(last[1], last[0], config, records, failed)
        if site is None:
            before = len(errors.items)
            site = assemble(config, records, errors, failed)
            if len(errors.items) != before:
                self._assembled = None
                return site
        if self.remembers:
            self._assembled = (records, site)
        return site

    def keyed(self, name: str, inputs, make: Callable[[], object]):
        """``make()``, or what it gave the last time, while ``inputs`` (all it reads) equal the last ones."""
        hit = self._keyed.get(name) if self.remembers else None
        if hit is not None and hit[0] == inputs:
            return hit[1]
        made = make()
        if self.remembers:
            self._keyed[name] = (inputs, made)
        return made

    # -- scan, shared passages, coverage ---------------------------------------------------
    def scan(self, site: Site, workers: int, beside: Callable[[], None] | None = None) -> dict[str, tuple]:
        """article slug -> (entities its body names, its sentence keys), new or changed bodies only.
        ``beside()``: work of this process's own, done while forked processes scan (only then)."""
        for slug in [s for s in self._scans if s not in site.articles]:
            del self._scans[slug]
        todo = [slug for slug, a in site.articles.items() if self._scans.get(slug, (None,))[0] is not a]
        for slug, scan in zip(todo, pool.shared(_scan_task, todo, site, workers, SPLIT_MIN, forked=beside)):
            self._scans[slug] = (site.articles[slug], scan)
        return {slug: self._scans[slug][1] for slug in site.articles}

    def shared_passages(self, site: Site, scans: dict) -> dict:
        return self._shared.update(site, {slug: scan[1] for slug, scan in scans.items()}, last=not self.remembers)

    def coverage(self, site: Site, entity_sets: dict) -> dict | Coverage:
        """Other coverage by article; a one-off build's is ranked where each page asks for it, in the
        render workers (``index.Coverage``), and kept by nobody."""
        if not self.remembers:
            return Coverage(site, entity_sets)
        if self._coverage is None or self._coverage[0] != entity_sets or self._coverage[2] != site.by_story:
            self._coverage = (entity_sets, other_coverage(site, entity_sets), site.by_story)
        return self._coverage[1]

    def heads(self, site: Site) -> None:
        """Give ``site`` every article's head, the last build's object where it is equal, so that the
        views of this build and the page memo's compare in constant time where nothing changed."""
        self.quiet = False
        if not self.remembers:
            return  # made on first use (``Site.head``)
        last, kept, same = self._heads, {}, len(self._heads) == len(site.articles)
        for slug, art in site.articles.items():
            hit = last.get(slug)
            if hit is None or hit[0] is not art:
                head = head_of(art)
                same = same and hit is not None and hit[1] == head
                hit = (art, hit[1] if hit is not None and hit[1] == head else head, "[[" in art.body)
            kept[slug] = hit
        self._heads_new, self._heads_same, self._inputs_new = kept, same, {}
        site.heads.update((slug, hit[1]) for slug, hit in kept.items())

    def body_links(self, site: Site, slug: str) -> str:
        """The article's body, or only "[[" when it has a wikilink (found once per body: see ``text_key``)."""
        art = site.articles[slug]
        hit = (self._heads_new or {}).get(slug)
        return art.body if hit is None or hit[0] is not art else "[[" * hit[2]

    def release(self) -> None:
        """Past shared passages and other coverage, a one-off build (``remembers`` False) lets go of
        what only a next build would reuse: what loading gave, the scans, the shared-passage index
        (about 5 kB an article, held through rendering and the exports otherwise)."""
        if not self.remembers:
            many = len(self._loaded) >= pool.PARALLEL_MIN
            self._loaded.clear()
            self._file_keys = {}
            self._scans.clear()
            self._shared = SharedPassages()
            self._coverage = None
            if many:  # before the render workers fork: they would count it too
                pool.trim()

    def compile_pages(self, layouts: Layouts) -> None:
        """Compile the page templates into the Jinja environment ``tools`` gives (which keeps them), so
        that the render workers inherit them compiled: done while the bodies are scanned in forked
        processes (``scan``'s ``beside``), not alone before the article pages' pool forks."""
        compile_pages(self.tools(layouts)[1])

    def tools(self, layouts: Layouts) -> tuple:
        """(Markdown parser, Jinja2 environment, template name -> signature), kept while no template changed."""
        if self._tools is None or self._tools[0] != layouts.stamp:
            jinja = make_env(self.root)
            # The signatures (every template parsed once more) key the page memo: a one-off build keeps none.
            signatures = template_signatures(jinja, layouts.files, self._template_refs) if self.remembers else {}
            self._tools = (layouts.stamp, make_md(), jinja, signatures)
        return self._tools[1:]

    @property
    def md_key(self):
        return self._md_key

    @md_key.setter
    def md_key(self, key) -> None:
        """Kept as the same object while equal, so each page's Markdown key compares in constant time.
        When it changes, what was derived from the archive as a whole goes: the scans (the names
        matched), the shared passages (the articles they name), other coverage."""
        if key != self._md_key:
            self._md_key = None if key is None else MarkdownKey(key)
            self._scans.clear()
            self._shared = SharedPassages()
            self._coverage = None

    def text_key(self, *texts: str) -> str:
        """``links_key`` for a page whose Markdown has a wikilink (which may name a passage or a
        claim), else '': adding an annotation renders again only the pages that may link to it."""
        return self.links_key if any("[[" in t for t in texts) else ""

    # -- the page memo ---------------------------------------------------------------------
    def signature(self, template: str) -> tuple:
        return self._tools[3].get(template, (template,))

    def markdown(self, path: str, key):
        """The facts of the Markdown of the page at ``path`` when it was rendered from ``key`` before."""
        hit = self._markdown.get(path)
        return hit[1] if hit is not None and hit[0] == key else None

    def reuse(self, path: str, view_key) -> str | None:
        """The digest of the page at ``path`` when its view and templates are what they were."""
        hit = self._pages.get(path)
        if hit is not None and hit[1] == view_key and hit[0] == self.signature(view_key.page.template) \
                and self._digests.get(path) == hit[2]:
            return hit[2]
        return None

    def steady(self, frame, site) -> bool:
        """Whether what every article page reads of the archive as a whole (the frame, every entity,
        every annotation) equals what the last build read. Then an article page whose record, Markdown
        facts and other coverage are what its memo's view holds has that view: it need not be made."""
        self._around_new = (frame, tuple(site.entities.values()), site.annotations)
        steady = self._around is not None and self._around == self._around_new
        if steady:  # kept as the same object while equal (the build cache's views refer to its frame's parts)
            self._around_new = self._around
        self.quiet = steady and self._heads_new is not None and self._heads_same
        return steady

    def same_inputs(self, path: str, inputs) -> bool:
        """Whether ``inputs`` (what the view of the page at ``path`` is made of besides what ``quiet``
        covers) equal the last build's; they are kept for the next build."""
        if self._inputs_new is None:
            return False
        self._inputs_new[path] = inputs
        return self._inputs.get(path, self) == inputs

    def last_inputs(self, key: str):
        """What the last build kept under ``key`` (``same_inputs``, ``keep_inputs``), or None."""
        return self._inputs.get(key)

    def keep_inputs(self, key: str, value) -> None:
        if self._inputs_new is not None:
            self._inputs_new[key] = value

    def keep_all_inputs(self, inputs: dict) -> None:
        """``keep_inputs`` of many pages at once."""
        if self._inputs_new is not None:
            self._inputs_new.update(inputs)

    def keep_pass(self, kind: str, done: Callable, *keys) -> None:
        """Keep what this build's pass of ``kind`` gave (``done()``, an ``article_pages.Pass``) for the next
        build, if this one reaches the output folder (the preview's: ``passes``); ``keys``: what else its
        pages read, compared by identity."""
        if self.passes:
            self._passes_new[kind] = (done(), self._md_key, self.links_key, self._tools and self._tools[3], keys)

    def pass_since(self, kind: str, *keys):
        """The last committed build's pass of ``kind`` when each of its pages whose record (and, for an entity,
        whose part of the index) is the same now is that build's page, facts and all, so that it need not ask
        the page memo; else None. That holds when, besides those, nothing its Markdown or its view reads has
        changed since: ``quiet`` (the frame, every entity and annotation, every article's head), the same
        Markdown key, links key, templates and ``keys`` (other coverage, for articles). Call after ``steady``."""
        last = self._passes.get(kind)
        if last is None or not self.quiet or self._tools is None:
            return None
        done, md_key, links_key, signatures, kept = last
        if self._md_key is not md_key or self.links_key != links_key or self._tools[3] is not signatures \
                or len(kept) != len(keys) or any(a is not b for a, b in zip(kept, keys)):
            return None
        return done

    def new_inputs(self, paths) -> dict:
        """What this build kept of the pages at ``paths`` with ``same_inputs`` (those it kept anything of)."""
        new = self._inputs_new or {}
        return {path: new[path] for path in paths if path in new}

    def reuse_if(self, path: str, same) -> str | None:
        """The digest of the page at ``path`` when ``same(its memo's view key)`` holds and its templates
        are what they were (``reuse`` without a view to compare: see ``steady``)."""
        hit = self._pages.get(path)
        if hit is not None and same(hit[1]) and hit[0] == self.signature(hit[1].page.template) \
                and self._digests.get(path) == hit[2]:
            return hit[2]
        return None

    def remember(self, path: str, view_key, d: str, markdown: tuple | None = None) -> None:
        self._new[path] = ((self.signature(view_key.page.template), view_key, d), markdown)

    def rendered(self) -> frozenset[str]:
        """Output paths of the pages rendered in this build so far; every other page was taken from the
        memo as it was (an article's ``ArticleResult`` then is the last build's, the same object)."""
        return frozenset(self._new)

    def stage(self, staging: Staging, out) -> str:
        """Stage an output unless the output folder holds these bytes already; its digest."""
        d = digest(out.data)
        if self._digests.get(out.path) != d or not (staging.out / out.path).exists():
            staging.write(out)
        return d

    def stage_pieces(self, staging: Staging, path: str, pieces) -> tuple[str, int]:
        """Stage a file written piece by piece (``Staging.put_pieces``) unless the output folder holds these
        bytes already: (its digest, its size)."""
        d, size = staging.put_pieces(path, pieces)
        self.unstage_if_same(staging, path, d)
        return d, size

    def unstage_if_same(self, staging: Staging, path: str, d: str) -> None:
        """A page a worker staged that came out byte for byte as before is not rewritten."""
        if self._digests.get(path) == d and (staging.out / path).exists():
            (staging.dir / path).unlink()

    def outputs(self) -> dict[str, str]:
        """What the output folder holds: path -> digest (a copy)."""
        return dict(self._digests)

    def committed(self, outputs: dict, missing: bool) -> None:
        """The build reached the output folder: keep its memo entries (all of them go when files
        were missing from the folder: everything is rendered again next time)."""
        for path, (page, markdown) in self._new.items():
            self._pages[path] = page
            if markdown is not None:
                self._markdown[path] = markdown
        for memo in (self._pages, self._markdown):
            for path in memo.keys() - outputs.keys():
                del memo[path]
        self._new = {}
        self._digests = dict(outputs)
        self.exports.committed(outputs)
        self.index_memo.continuous = True  # its results are this build's (``index.Memo.changed``)
        if self._around_new is not None:
            self._around, self._around_new = self._around_new, None
        if self._heads_new is not None:
            self._heads, self._heads_new = self._heads_new, None
        if self._inputs_new is not None:  # a build's (not the exports' or assets' amend): its passes replace the last
            self._inputs, self._inputs_new = self._inputs_new, None
            self._passes, self._passes_new = self._passes_new, {}
        if missing:
            self._pages.clear()
            self._digests = {}
            self._passes = {}

    # -- the build cache ---------------------------------------------------------------------
    @property
    def listing_inputs(self) -> dict:
        """What the build cache keeps of ``_inputs``: the listing pages' (``index_pages.listings``), so that a
        cached build after an edit that changed none of their inputs makes none of their views (their inputs
        are held as a digest: see ``Digested``). Not the entity pages' (16 MB at 10,000 articles)."""
        return {key: self._inputs[key] for key in LISTINGS if key in self._inputs}

    @listing_inputs.setter
    def listing_inputs(self, kept: dict) -> None:
        self._inputs = {key: kept[key] for key in LISTINGS if key in kept}

    def state(self) -> dict:
        """What the build cache keeps of this session (see :mod:`dossier.cache`)."""
        return {name: getattr(self, name) for name in KEPT}

    def restore(self, state, digests: dict) -> bool:
        """Take up a build cache's ``state``; ``digests``: what the output folder's manifest says it holds."""
        if not isinstance(state, dict) or set(state) != set(KEPT) or not isinstance(digests, dict) \
                or not all(isinstance(state[n], t) for n, t in KEPT.items()):
            return False
        for name in KEPT:
            setattr(self, name, state[name])
        self._digests = dict(digests)
        return True

    def failed(self) -> None:
        """Nothing of the build reached the output folder: forget what it rendered."""
        self._new = {}
        self.exports.pending = {}
        self.index_memo.continuous = False  # it may hold results no page memo entry was made from
        self._around_new = self._heads_new = None
        self._inputs_new = None
        self._passes_new = {}
        self._coverage = None
