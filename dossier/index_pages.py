"""The pages made from the index: entity pages, the listings (home, entities, outlets, tags,
annotations and claims) and the free pages, each reused from the last build when its view is the same.
Entity pages and listings share one pool (``render_entities``), so that no core waits."""
from __future__ import annotations

import time
from typing import Callable

import jinja2

from . import pool
from .article_pages import RenderState, _any, next_pass, take_pass
from .claimviews import claim_infos
from .emit import Renderer
from .errors import DossierError
from .exports import ENTITY_WORDS
from .index import ByEntity, Index
from .pagetext import first_words
from .render import LocatedTemplateError, template_error
from .session import Digested, Session
from .site import Site
from .urls import output_path, page_dir
from .views import (FrozenMap, View, annotation_views, entities_view, entity_view, free_page_view, home_view,
                    outlets_view, tag_views)
from .write import Staging


def _render_entity_task(state: RenderState, slug: str) -> tuple:
    """(slug, digest of the staged page, errors, its notes' HTML, the first words the search index
    takes of it, seconds for the page, seconds for its first words): the words read here, from the page
    in hand, not from its file in the build process; their seconds are the exports' (``split_exports``)."""
    start = time.perf_counter()
    try:
        out, errors, notes = state.renderer.entity(slug, *state.entity_args[slug])
    except jinja2.TemplateError as exc:
        return slug, "", [template_error(exc, state.renderer.root)], "", "", 0.0, 0.0
    d = state.staging.put(out)
    made = time.perf_counter()
    words = " ".join(first_words(out.data, ENTITY_WORDS))
    return slug, d, errors, notes, words, made - start, time.perf_counter() - made


def _render_entity_or_view_task(state: RenderState, item: tuple[str, object]) -> tuple:
    """An entity page's (``_render_entity_task``), or a view's (``_render_view_task``) and its seconds."""
    kind, x = item
    if kind == "entity":
        return _render_entity_task(state, x)
    start = time.perf_counter()
    return (*_render_view_task(state, x), time.perf_counter() - start)


class _EntityArgs(dict):
    """entity slug -> what its page is made of besides the site (mentions, together, annotations, wrote,
    headlines), each made when first asked for. ``gone``: this process let the index's mentions go
    (``render_entities``' ``forked``): a worker forked after that refuses rather than make a page of none."""

    def __init__(self, index: Index) -> None:
        super().__init__()
        self.index = index
        self.gone = False

    def __missing__(self, slug: str) -> tuple:
        if self.gone:
            raise RuntimeError(f"{slug}: an entity page in a process forked after the mentions were let go")
        index = self.index
        args = self[slug] = (index.mentions.get(slug, []), index.together.get(slug, ()),
                             index.annotations_of.get(slug, []), index.wrote.get(slug, ()),
                             index.headlines.get(slug, ()))
        return args


def render_entities(site: Site, index: Index, renderer: Renderer, session: Session, staging: Staging,
                    workers: int, outputs: dict, errors: list, views: list[View] = (),
                    forked: Callable[[], None] | None = None, split: list | None = None) -> list | None:
    """Entity pages; when they go to the pool, the pages of ``views`` (the listings) go with them, so
    that no core waits while the other renders the listings: then (view, (digest, template error or
    None)) of each view to render is returned for ``render_views``, else None. ``forked()``: called
    once the pool's workers are forked with the index (only then), while they render: what this
    process may let go of the index's mentions, it lets go then (``release_mentions``). ``split`` gets
    the tasks' seconds on pages and on the entity pages' first words (the search index's), and the
    pages' wall-clock seconds (see ``article_pages.split_exports``)."""
    args = _EntityArgs(index)
    unread = isinstance(index.mentions, ByEntity)  # the build cache's mentions: read for the pages made only

    def key(slug: str, notes: str) -> View:
        mentions, together, annotations, wrote, headlines = args[slug]
        return entity_view(renderer.frame, site, slug, notes, mentions, together, annotations, renderer.by_source,
                           wrote, headlines)

    # A one-off build reuses no page: every entity's arguments are made where its page is (in a render
    # worker: co-occurrence is counted there, see ``index.Together``), none in this process before the pool.
    todo = [] if session.remembers else list(site.entities)
    # The last build's pass gives every entity page whose record and part of the index are unchanged.
    last = session.pass_since("entities") if session.remembers and index.changed is not None else None
    check = last and take_pass(last, site.entities, index.changed, session, outputs, errors)
    if check is None:
        check, last = site.entities if session.remembers else {}, None
    said: dict = {}  # slug -> what its Markdown reported, of the entities looked at
    for slug, ent in check.items():
        path = output_path(page_dir("entity", slug))
        facts = session.markdown(path, (ent, session.md_key, session.text_key(ent.notes)))
        # With ``Session.quiet``, a view made of the last build's inputs is the last build's view: not made.
        quick = index.changed is not None and slug not in index.changed
        same = (unread and quick or session.same_inputs(path, (args[slug], site.by_outlet.get(slug))) or quick) \
            and session.quiet
        d = facts and (same and session.reuse_if(path, _any) or session.reuse(path, key(slug, facts[0])))
        if d:
            outputs[path] = d
            errors.extend(facts[1])
            said[slug] = facts[1]
        else:
            todo.append(slug)
    spread = pool.spreads(len(todo), workers)
    listed = _views_todo(views, session, outputs) if spread else []
    # The longest pages first (the listings: a large archive's home page; then the entities named in
    # most reports), so that the last ones the pool hands out are short and the workers end together.
    order = sorted(range(len(todo)), key=lambda i: -len(index.articles_of.get(todo[i], ()))) if spread \
        else range(len(todo))
    items = [("view", i) for i in range(len(listed))] + [("entity", todo[i]) for i in order]

    def let_go() -> None:
        args.gone = True
        forked()

    start = time.perf_counter()
    done = pool.run(_render_entity_or_view_task, items, RenderState(renderer, staging, args, tuple(listed)), workers,
                    forked=let_go if forked is not None else None)
    split = [0.0, 0.0, 0.0] if split is None else split
    split[2] += time.perf_counter() - start
    split[0] += sum(got[-1] for got in done[:len(listed)])
    made = [None] * len(todo)
    for i, got in zip(order, done[len(listed):]):
        made[i] = got
    texts = session.exports.texts  # the exports take an entity page's words from there (``exports._text``)
    for slug, d, errs, notes, words, page_s, words_s in made:
        split[0] += page_s
        split[1] += words_s
        errors.extend(errs)
        said[slug] = errs
        if d:
            path = output_path(page_dir("entity", slug))
            outputs[path] = d
            texts[path] = (d, words)
            session.unstage_if_same(staging, path, d)
            ent = site.entities[slug]
            if session.remembers:
                session.remember(path, key(slug, notes), d,
                                 ((ent, session.md_key, session.text_key(ent.notes)), (notes, errs)))
    if session.remembers and all(made_one[1] for made_one in made):  # every page made or reused
        session.keep_pass("entities", lambda: next_pass("entity", last, check, site.entities, outputs,
                                                        lambda paths: session.new_inputs(paths.values()), said))
    return list(zip(listed, (got[:-1] for got in done))) if spread else None


VIEWS_PARALLEL = 8  # listing pages worth forking for,
VIEWS_PARALLEL_ARTICLES = 5000  # when the archive has enough articles to make them long (a fork costs ~0.1 s)


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
    # (the index's parts compared by value in the preview, by a digest against a build cache's: see ``Digested``)
    inputs = (Digested((index.articles_of, index.placed, index.verbatim, site.claims)), session.md_key,
              session.links_key)
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
