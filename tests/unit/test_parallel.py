"""Work spread over the pool gives what the same work in one process gives (counts, not timings)."""
from __future__ import annotations

import json
import shutil

import pytest

from dossier import article_pages, emit, index_pages, pipeline, pool, search_update, session as session_mod
from dossier.pipeline import build_site
from dossier.session import Session
from tests.conftest import OUTLET, REPO_ROOT


def test_loading_in_workers_equals_loading_here(monkeypatch):
    here = Session(REPO_ROOT).load(None, 1)
    monkeypatch.setattr(session_mod, "SPLIT_MIN", 1)
    minimums = []
    real = pool.shared

    def shared(task, items, state, workers, minimum, forked=None):
        minimums.append(minimum)
        return real(task, items, state, workers, minimum, forked)

    monkeypatch.setattr(pool, "shared", shared)
    assert Session(REPO_ROOT).load(None, 2) == here
    assert Session(REPO_ROOT).load(None, 3) == here
    assert minimums == [1, 1]  # the files went to forked processes from one file on
    assert len(here[0]) > 50 and not [e for e in here[1] if not e.warning]


def _pid_of(state, item):
    import os

    if item == state:
        raise ValueError(f"item {item}")
    return item * 2, os.getpid()


def _claims_of(state, item):
    import os

    if item == state:
        raise ValueError(f"item {item}")
    return item * 2, os.getpid()


def _met(state, item):
    """Each process's item waits (10 s at most) until a process of the other side has taken one: so
    this process and a child both take claims, whatever their speed."""
    import os

    parent, here, there = state
    if os.getpid() == parent:
        here.set()
        there.wait(10)
    else:
        there.set()
        here.wait(10)
    return item * 2, os.getpid()


def test_shared_gives_the_results_in_order_from_this_process_and_the_children():
    """Every item once, in order; this process takes claims too; no child without two workers or
    below the minimum."""
    import multiprocessing
    import os

    for workers in (2, 3):
        if not pool.fork_available():
            break
        state = (os.getpid(), multiprocessing.get_context("fork").Event(), multiprocessing.get_context("fork").Event())
        got = pool.shared(_met, range(2000), state, workers, 2, claim=3)
        assert [r for r, _pid in got] == [i * 2 for i in range(2000)]
        pids = {pid for _r, pid in got}
        assert os.getpid() in pids and 2 <= len(pids) <= workers
    assert [r for r, _pid in pool.shared(_claims_of, range(2000), -1, 2, 2, claim=3)] == [i * 2 for i in range(2000)]
    assert pool.shared(_claims_of, range(9), -1, 1, 2) == [(i * 2, os.getpid()) for i in range(9)]  # one worker
    assert pool.shared(_claims_of, range(9), -1, 2, 10) == [(i * 2, os.getpid()) for i in range(9)]  # too few
    assert pool.shared(_claims_of, [], -1, 2, 0) == []


def test_shared_calls_the_work_beside_once_forked():
    import os

    called = []
    got = pool.shared(_claims_of, range(50), -1, 2, 2, lambda: called.append(os.getpid()), claim=4)
    assert [r for r, _pid in got] == [i * 2 for i in range(50)]
    assert called == ([os.getpid()] if pool.fork_available() else [])
    called.clear()
    assert pool.shared(_claims_of, range(9), -1, 1, 2, lambda: called.append(1)) == [(i * 2, os.getpid()) for i in range(9)]
    assert pool.shared(_claims_of, range(9), -1, 2, 10, lambda: called.append(1)) == [(i * 2, os.getpid()) for i in range(9)]
    assert called == []  # no child: nothing beside


def _killed_at(state, item):
    """In a child of ``shared``, item ``state`` kills the child mid-claim (as the OOM killer would)."""
    import os
    import signal

    if item == state and os.getpid() != _PARENT[0]:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


_PARENT = [0]


def test_shared_does_here_the_claims_of_a_child_that_died():
    import os

    _PARENT[0] = os.getpid()
    for bad in (0, 7, 40):
        assert pool.shared(_killed_at, range(48), bad, 2, 2, claim=4) == list(range(48))


def test_the_page_templates_are_compiled_while_the_bodies_are_scanned(monkeypatch, tmp_path, tree):
    """With a forked scan, the templates are compiled then (once), into the environment the renderer
    uses: the pages are the same as a build in one process."""
    from dossier import render

    compiled = []
    real = render.compile_pages

    def spy(env):
        compiled.append(env)
        return real(env)

    monkeypatch.setattr(session_mod, "compile_pages", spy)
    monkeypatch.setattr(session_mod, "SPLIT_MIN", 2)
    one = build_site(REPO_ROOT, out=tmp_path / "one", workers=1)
    assert compiled == []  # one process: the renderer compiles them (``Renderer.warm``) when it needs to
    two = build_site(REPO_ROOT, out=tmp_path / "two", workers=2)
    assert len(compiled) == (1 if pool.fork_available() else 0)
    assert one.ok and two.ok and tree(tmp_path / "one") == tree(tmp_path / "two")


def test_shared_raises_an_items_exception_here_and_leaves_no_child():
    import multiprocessing
    import pytest

    for bad in (1, 7, 1500):
        with pytest.raises(ValueError, match=f"item {bad}"):
            pool.shared(_claims_of, range(2000), bad, 2, 2, claim=3)
        assert multiprocessing.active_children() == []


def test_loading_and_scanning_in_two_processes_equals_one(monkeypatch, tmp_path, tree):
    """From SPLIT_MIN files (or bodies to scan) on: this process and a forked one (pool.shared)."""
    here = Session(REPO_ROOT).load(None, 1)
    calls = []
    real = pool.shared
    monkeypatch.setattr(pool, "shared", lambda task, items, state, workers, minimum, forked=None: calls.append(
        (task.__name__, workers)) or real(task, items, state, workers, minimum, forked))
    monkeypatch.setattr(session_mod, "SPLIT_MIN", 2)
    assert Session(REPO_ROOT).load(None, 2) == here
    assert calls == [("_load_task", 2)]
    one = build_site(REPO_ROOT, out=tmp_path / "one", workers=1)  # shared() with one worker: no fork
    two = build_site(REPO_ROOT, out=tmp_path / "two", workers=2)
    assert calls[-2:] == [("_load_task", 2), ("_scan_task", 2)]
    assert one.ok and two.ok and tree(tmp_path / "one") == tree(tmp_path / "two")


def _spread_everything(monkeypatch) -> None:
    """Every stage that can use the pool does, however small the archive."""
    monkeypatch.setattr(pool, "PARALLEL_MIN", 1)
    monkeypatch.setattr(session_mod, "SPLIT_MIN", 1)
    monkeypatch.setattr(index_pages, "VIEWS_PARALLEL", 1)
    monkeypatch.setattr(index_pages, "VIEWS_PARALLEL_ARTICLES", 1)


def test_a_build_in_workers_equals_a_build_here(monkeypatch, tmp_path, tree):
    here = build_site(REPO_ROOT, out=tmp_path / "here", workers=1)
    _spread_everything(monkeypatch)
    spread = build_site(REPO_ROOT, out=tmp_path / "spread", workers=2)
    assert here.ok and spread.ok
    assert tree(tmp_path / "spread") == tree(tmp_path / "here")


def test_a_template_error_in_a_listing_is_located_from_a_worker(monkeypatch, tmp_site, build):
    root = tmp_site({"content/entities/daily.md": OUTLET,
                     "content/articles/one.md": "---\ntitle: One\noutlet: daily\npublished: 2024-01-02\n"
                                                "tags: [a]\n---\nText.\n",
                     "layouts/tag.html": '{% extends "base.html" %}\n{% block main %}\n{{ 1 // 0 }}\n{% endblock %}\n'})
    here = build(root, workers=1)
    _spread_everything(monkeypatch)
    spread = build(root, workers=2)
    assert not here.ok and [str(e) for e in spread.errors] == [str(e) for e in here.errors]
    assert [str(e) for e in here.errors] == ["layouts/tag.html:3: template error: ZeroDivisionError: integer division "
                                             "or modulo by zero"]


def test_a_second_build_spread_over_workers_rewrites_nothing(monkeypatch, tmp_path, tree):
    _spread_everything(monkeypatch)
    builder = pipeline.Builder(REPO_ROOT, tmp_path / "out", workers=2)
    first = builder.build()
    before = tree(tmp_path / "out")
    again = builder.build()
    assert first.ok and again.ok and again.written == () and tree(tmp_path / "out") == before


def test_a_one_off_build_makes_no_page_keys_that_nothing_would_read(monkeypatch, tmp_path, tree):
    """``build_site`` is one build without a cache: its pages' views are not made again as memo keys, and
    no report's body is digested for one (``ArticleResult.body``)."""
    keys, digests = [], []
    real, real_digest = article_pages.article_key, emit.html_digest
    monkeypatch.setattr(article_pages, "article_key", lambda *a: keys.append(a) or real(*a))
    monkeypatch.setattr(emit, "html_digest", lambda html: digests.append(html) or real_digest(html))
    once = build_site(REPO_ROOT, out=tmp_path / "once", workers=1)
    assert once.ok and keys == [] and digests == []
    builder = pipeline.Builder(REPO_ROOT, tmp_path / "kept", workers=1)
    reports = len(list((REPO_ROOT / "content" / "articles").glob("*.md")))
    assert builder.build().ok and len(keys) == reports and len(digests) == reports
    assert tree(tmp_path / "once") == tree(tmp_path / "kept")


def test_the_search_terms_made_beside_the_open_data_are_the_same_and_kept_for_the_next_build(monkeypatch, tmp_path,
                                                                                             tree):
    """A whole index: its term files come from a forked process (``exports._term_part``); what that process
    leaves for a next build comes back, and a next build after an edit updates the index from it to the
    bytes a cold build makes."""
    root = tmp_path / "archive"
    for name in ("content", "layouts"):
        shutil.copytree(REPO_ROOT / name, root / name)
    shutil.copy(REPO_ROOT / "site.yaml", root / "site.yaml")
    forked, updated = [], []
    real_init, real_update = pool.Aside.__init__, search_update.update
    monkeypatch.setattr(pool.Aside, "__init__", lambda self, fn, fork=True: forked.append(fork) or real_init(self, fn, fork))
    monkeypatch.setattr(search_update, "update", lambda *a: updated.append(real_update(*a)) or updated[-1])
    assert build_site(root, out=tmp_path / "here", workers=1).ok
    assert forked == []
    _spread_everything(monkeypatch)
    builder = pipeline.Builder(root, tmp_path / "spread", workers=2)
    assert builder.build().ok and forked == [True]
    assert tree(tmp_path / "spread") == tree(tmp_path / "here")
    memory = builder.session.exports  # what the forked process left came back: the index's State and words
    docs = json.loads((tmp_path / "here" / "search" / "index.json").read_bytes())["docs"]
    assert memory.search is not None and len(memory.words) == docs
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nA zyzzyva was seen.\n", encoding="utf-8")
    updated.clear()
    again = builder.build()
    assert again.ok and forked == [True]  # an update is made here, not forked
    assert len(updated) == 1 and updated[0] is not None  # from that State, not made whole again
    assert build_site(root, out=tmp_path / "cold", workers=1).ok
    assert tree(tmp_path / "spread") == tree(tmp_path / "cold")
    assert any(b'"zyzzyva"' in p.read_bytes() for p in (tmp_path / "cold" / "search" / "t").iterdir())


def test_listings_go_to_the_entity_pages_pool_when_it_forks(monkeypatch, tmp_path, tree):
    """No core waits while the other renders the listings: they are tasks of the entity pages' pool."""
    here = build_site(REPO_ROOT, out=tmp_path / "here", workers=1)
    monkeypatch.setattr(pool, "PARALLEL_MIN", 1)
    sent = []
    real_run = pool.run

    def run(task, items, state, workers, minimum=None, **more):
        items = list(items)
        if task is index_pages._render_entity_or_view_task:
            sent.append([kind for kind, _x in items])
        return real_run(task, items, state, workers, minimum, **more)

    monkeypatch.setattr(pool, "run", run)
    spread = build_site(REPO_ROOT, out=tmp_path / "spread", workers=2)
    entities = len(list((REPO_ROOT / "content" / "entities").rglob("*.md")))
    assert len(sent) == 1 and sent[0].count("entity") == entities
    assert sent[0].count("view") > 5 and sent[0][:sent[0].count("view")] == ["view"] * sent[0].count("view")
    assert here.ok and spread.ok and tree(tmp_path / "spread") == tree(tmp_path / "here")


def test_a_one_off_build_parses_no_template_for_the_page_memos_signatures(monkeypatch, tmp_path, tree):
    """The signatures (each template parsed once more) key the page memo, which a one-off build does not keep."""
    made = []
    real = session_mod.template_signatures
    monkeypatch.setattr(session_mod, "template_signatures", lambda *a: made.append(1) or real(*a))
    once = build_site(REPO_ROOT, out=tmp_path / "once", workers=1)
    assert once.ok and made == []
    kept = pipeline.Builder(REPO_ROOT, tmp_path / "kept", workers=1)
    assert kept.build().ok and made == [1]
    assert tree(tmp_path / "once") == tree(tmp_path / "kept")


def test_objects_made_without_the_cyclic_collector_are_not_walked_when_it_comes_back():
    import gc
    import weakref

    class Node:
        pass

    assert gc.isenabled()
    with pool.no_cyclic_gc():
        assert not gc.isenabled()
        kept = [[i] for i in range(50_000)]  # far past generation 0's threshold
        cycle = Node()
        cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < gc.get_threshold()[0]  # moved on, not waiting to be walked
    assert gone() is not None  # a cycle made inside waits for a full collection ...
    gc.collect()
    assert gone() is None  # ... which still finds it
    assert len(kept) == 50_000


def _double(_state, item):
    return item * 2


def test_the_pools_worker_handler_does_not_wake_for_each_result(monkeypatch):
    """The pool's worker-handler thread looks at its workers when one ends or the pool changes, not
    each time results wait in the pipe (CPython's spins then: 0.4 s of CPU at 10,000 articles)."""
    import multiprocessing.pool

    if not pool.fork_available():
        return
    looks = []
    real = multiprocessing.pool.Pool._maintain_pool  # a static method, called on Pool by the thread

    def maintain(*args):
        looks.append(1)
        return real(*args)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_maintain_pool", staticmethod(maintain))
    assert pool.run(_double, range(5000), None, 2, minimum=1) == [i * 2 for i in range(5000)]
    assert 1 <= len(looks) <= 5  # once at the start, then when the pool's cache empties or it ends


def test_reports_made_in_batches_in_workers_equal_one_at_a_time_here(monkeypatch, tmp_path, tree):
    """A worker makes a batch's pages, then their exports' parts: every report once, in order, the
    output the same as one report at a time in one process."""
    monkeypatch.setattr(article_pages, "EXPORTS_BATCH", 1)
    here = build_site(REPO_ROOT, out=tmp_path / "here", workers=1)
    batches, real_run = [], pool.run

    def run(task, items, *args, **kwargs):
        if task is article_pages._render_articles_task:
            batches.extend(map(list, items))
        return real_run(task, items, *args, **kwargs)

    monkeypatch.setattr(pool, "run", run)
    monkeypatch.setattr(article_pages, "EXPORTS_BATCH", 3)
    _spread_everything(monkeypatch)
    spread = build_site(REPO_ROOT, out=tmp_path / "spread", workers=2)
    assert here.ok and spread.ok and tree(tmp_path / "spread") == tree(tmp_path / "here")
    slugs = [s for b in batches for s in b]
    assert len(slugs) == len(set(slugs)) > 3 and all(1 <= len(b) <= 3 for b in batches)
    assert len(batches) == -(-len(slugs) // 3)  # full batches but the last


def test_a_template_error_in_a_batch_of_reports_is_reported_as_one_at_a_time(monkeypatch, tmp_site, build):
    root = tmp_site({"content/entities/daily.md": OUTLET,
                     **{f"content/articles/a{i}.md": f"---\ntitle: A{i}\noutlet: daily\npublished: 2024-01-0{i + 1}\n"
                                                     "---\nText.\n" for i in range(5)},
                     "layouts/article.html": '{% extends "base.html" %}\n{% block main %}\n{{ 1 // 0 }}\n'
                                             '{% endblock %}\n'})
    monkeypatch.setattr(article_pages, "EXPORTS_BATCH", 1)
    here = build(root, workers=1)
    monkeypatch.setattr(article_pages, "EXPORTS_BATCH", 2)
    _spread_everything(monkeypatch)
    spread = build(root, workers=2)
    assert not here.ok and [str(e) for e in spread.errors] == [str(e) for e in here.errors]
    assert str(here.errors[0]).startswith("layouts/article.html:3: template error: ZeroDivisionError")


def test_a_first_load_stats_each_file_once_where_it_is_read(monkeypatch, tmp_path):
    """A first load reads every file: each is stat'ed in the task that reads it (in whichever process
    claims it), not once more beforehand in the build's process; a later load stats each file here and
    reads again only what changed. A file gone before its task is passed over, as if never walked."""
    root = tmp_path / "archive"
    shutil.copytree(REPO_ROOT / "content", root / "content")
    shutil.copy(REPO_ROOT / "site.yaml", root / "site.yaml")
    stats, reads = [], []
    real_stat, real_load = session_mod.stat_stamp, session_mod.loader.load_file
    monkeypatch.setattr(session_mod, "stat_stamp", lambda path: stats.append(path) or real_stat(path))
    monkeypatch.setattr(session_mod.loader, "load_file", lambda *a: reads.append(a[2]) or real_load(*a))
    s = Session(root)
    first = s.load(None, 1)
    files = [path for _kind, path in s._content_files(None)]
    assert sorted(stats) == sorted(files) == sorted(reads) and len(files) > 50
    assert all(s._loaded[str(p)][0] == real_stat(p) for p in files)
    stats.clear(), reads.clear()
    edited = next(p for p in files if p.parent.name == "articles")
    edited.write_text(edited.read_text() + "\nOne more line.\n")
    s.load(None, 1)
    assert sorted(map(str, stats)) == sorted(map(str, files)) and reads == [edited]  # (by its path's string)
    missing = root / "content" / "articles" / "gone.md"
    gone = Session(root)
    monkeypatch.setattr(gone, "_content_files", lambda changed: [*s._files, ("articles", missing)])
    assert gone.load(None, 1) == s.load(None, 1) and str(missing) not in gone._loaded


def test_entity_pages_go_to_the_pool_longest_first_and_come_back_in_site_order(monkeypatch, tmp_path, tree):
    """The entities named in most reports are handed out first (the last tasks are short: the workers end
    together); their pages' digests and search words are taken back in the site's order."""
    here = build_site(REPO_ROOT, out=tmp_path / "here", workers=1)
    monkeypatch.setattr(pool, "PARALLEL_MIN", 1)
    sent, found = [], {}
    real_run, real_render = pool.run, index_pages.render_entities

    def run(task, items, state, workers, minimum=None, **more):
        items = list(items)
        if task is index_pages._render_entity_or_view_task:
            sent.append([x for kind, x in items if kind == "entity"])
        return real_run(task, items, state, workers, minimum, **more)

    def render_entities(site, index, renderer, session, staging, workers, outputs, *args, **kwargs):
        found["reports"] = {e: len(index.articles_of.get(e, ())) for e in site.entities}
        found["site"] = list(site.entities)
        listed = real_render(site, index, renderer, session, staging, workers, outputs, *args, **kwargs)
        found["outputs"] = [p.split("/")[1] for p in outputs if p.startswith("entities/") and p.count("/") == 2]
        found["texts"] = [p.split("/")[1] for p in session.exports.texts if p.startswith("entities/")]
        return listed

    monkeypatch.setattr(pool, "run", run)
    monkeypatch.setattr(pipeline, "render_entities", render_entities)
    spread = build_site(REPO_ROOT, out=tmp_path / "spread", workers=2)
    assert here.ok and spread.ok and tree(tmp_path / "spread") == tree(tmp_path / "here")
    (order,) = sent
    reports = found["reports"]
    assert sorted(order) == sorted(found["site"]) and order != found["site"]
    assert [reports[e] for e in order] == sorted(reports.values(), reverse=True)
    assert found["outputs"] == found["site"] and found["texts"] == found["site"]


def test_mentions_go_while_the_entity_workers_render_and_a_worker_forked_after_that_refuses(monkeypatch, tmp_path,
                                                                                            tree):
    """A one-off build lets its own copy of the index's mentions go once the entity pages' workers are
    forked with them (``render_entities``' ``forked``), not after the pool; a worker the pool would fork
    again after that raises rather than make a page without mentions. Without a pool, they go after it."""
    here = build_site(REPO_ROOT, out=tmp_path / "here", workers=1)
    monkeypatch.setattr(pool, "PARALLEL_MIN", 1)
    events, states = [], []
    real_run, real_release = pool.run, article_pages.release_mentions

    def run(task, items, state, workers, minimum=None, forked=None, **more):
        if task is index_pages._render_entity_or_view_task:
            states.append(state)

            def spy():
                events.append(("forked", len(state.entity_args.index.mentions)))
                forked()
            got = real_run(task, items, state, workers, minimum, forked=spy if forked else None, **more)
            events.append(("pool done", len(state.entity_args.index.mentions)))
            return got
        return real_run(task, items, state, workers, minimum, forked=forked, **more)

    def release(results, index):
        events.append(("released", len(index.mentions)))
        return real_release(results, index)

    monkeypatch.setattr(pool, "run", run)
    monkeypatch.setattr(pipeline, "release_mentions", release)
    spread = build_site(REPO_ROOT, out=tmp_path / "spread", workers=2)
    assert here.ok and spread.ok and tree(tmp_path / "spread") == tree(tmp_path / "here")
    (state,) = states
    assert [e for e, _n in events] == ["forked", "released", "pool done"]
    assert events[0][1] > 10 and events[2][1] == 0  # held when the workers forked, gone here after
    assert state.entity_args.gone
    slug = next(e for e in state.renderer.site.entities if e not in state.entity_args)
    with pytest.raises(RuntimeError, match="forked after the mentions were let go"):
        index_pages._render_entity_task(state, slug)
    events.clear()
    assert build_site(REPO_ROOT, out=tmp_path / "one", workers=1).ok
    assert [e for e, _n in events] == ["pool done", "released"]  # in this process: after its pages


def test_bylines_and_headlines_are_found_while_the_article_workers_render(monkeypatch, tmp_path, tree):
    """A one-off build finds every article's byline people and headline mentions in this process while
    the article pages' workers render (``heads_of``, the pool's ``forked``); the index then finds none
    again. Without a pool they are found by the index, as a kept build's are."""
    from dossier import index as index_mod

    here = build_site(REPO_ROOT, out=tmp_path / "here", workers=1)
    monkeypatch.setattr(pool, "PARALLEL_MIN", 1)
    calls = []
    real_facts, real_build = index_mod._head_facts, pipeline.build_index
    monkeypatch.setattr(index_mod, "_head_facts", lambda *a: calls.append(("facts", a[1])) or real_facts(*a))

    def build_index(*args, **kwargs):
        calls.append(("index", None))
        return real_build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_index", build_index)
    spread = build_site(REPO_ROOT, out=tmp_path / "spread", workers=2)
    assert here.ok and spread.ok and tree(tmp_path / "spread") == tree(tmp_path / "here")
    reports = sorted(p.stem for p in (REPO_ROOT / "content" / "articles").glob("*.md"))
    assert calls[-1] == ("index", None) and sorted(slug for _k, slug in calls[:-1]) == reports
    calls.clear()
    assert build_site(REPO_ROOT, out=tmp_path / "one", workers=1).ok
    assert calls[0] == ("index", None) and sorted(slug for _k, slug in calls[1:]) == reports


def _joins(monkeypatch) -> list:
    """Every ``join`` of a forked process from here on: (pid, whether it had ended when joined)."""
    import multiprocessing.process

    joined = []
    real = multiprocessing.process.BaseProcess.join

    def join(self, timeout=None):
        joined.append(self.pid)
        return real(self, timeout)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "join", join)
    return joined


@pytest.mark.skipif(not pool.fork_available(), reason="no fork: nothing is forked")
def test_a_pool_and_shared_and_aside_leave_their_done_processes_to_end_and_ended_waits_for_them(monkeypatch):
    """Their results in, a pool's workers, ``shared``'s children and ``aside``'s child end on their own
    while this process goes on (no ``join`` in the call); ``pool.ended()`` waits for every one."""
    import multiprocessing
    import os

    joined = _joins(monkeypatch)
    got = pool.run(_claims_of, range(400), -1, 2)
    assert [r for r, _pid in got] == [i * 2 for i in range(400)]
    workers = {pid for _r, pid in got}
    assert os.getpid() not in workers and joined == []
    fork = multiprocessing.get_context("fork")
    got = pool.shared(_met, range(400), (os.getpid(), fork.Event(), fork.Event()), 2, 2, claim=3)
    child = {pid for _r, pid in got} - {os.getpid()}
    assert len(child) == 1 and joined == []
    assert pool.aside(os.getpid).result() != os.getpid() and joined == []
    left = {p.pid for p in pool._ending}
    assert child <= left and len(left) >= 2
    pool.ended()
    assert pool._ending == [] and left <= set(joined)
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not pool.fork_available(), reason="no fork: nothing is forked")
def test_a_build_waits_for_every_process_it_forked_before_it_returns(monkeypatch, tmp_path, tree):
    import multiprocessing

    _spread_everything(monkeypatch)
    joined = _joins(monkeypatch)
    ended = []
    real = pool.ended
    monkeypatch.setattr(pool, "ended", lambda: ended.append(len(pool._ending)) or real())
    result = build_site(REPO_ROOT, out=tmp_path / "out", workers=2)
    assert result.ok and pool._ending == [] and multiprocessing.active_children() == []
    assert ended and ended[-1] > 0  # the pools' and shared's processes were left to end, then waited for
    assert len(joined) >= ended[-1]


def test_a_one_off_load_neither_stats_nor_digests_and_loads_the_same(monkeypatch, tmp_path):
    """A one-off build (``Session.remembers`` false) keeps no stamp or digest for a next build: its load
    reads each file once, with no stat and no digest, and gives the records and errors a remembering
    load gives, a file gone before its task passed over and one that cannot be read reported alike."""
    root = tmp_path / "archive"
    shutil.copytree(REPO_ROOT / "content", root / "content")
    shutil.copy(REPO_ROOT / "site.yaml", root / "site.yaml")
    (root / "content" / "articles" / "a-folder.md").mkdir()  # listed below as a file: opened, never read
    stats, digests = [], []
    real_stat, real_digest = session_mod.stat_stamp, session_mod.digest
    monkeypatch.setattr(session_mod, "stat_stamp", lambda path: stats.append(path) or real_stat(path))
    monkeypatch.setattr(session_mod, "digest", lambda data: digests.append(len(data)) or real_digest(data))
    extra = [("articles", root / "content" / "articles" / "gone.md"),
             ("articles", root / "content" / "articles" / "a-folder.md")]

    def loaded(remembers: bool, workers: int = 1):
        s = Session(root)
        s.remembers = remembers
        files = [*s._content_files(None), *extra]
        monkeypatch.setattr(s, "_content_files", lambda changed: files)
        return s, s.load(None, workers)

    kept, kept_load = loaded(True)
    assert len(stats) == len(kept._files) + len(extra) and len(digests) == len(kept._files)
    stats.clear(), digests.clear()
    once, once_load = loaded(False)
    assert stats == [path for _kind, path in extra] and digests == []  # only what could not be read: as before
    assert once_load == kept_load and len(once_load[0]) > 50
    assert [str(e) for e in once_load[1]] == [str(e) for e in kept_load[1]]
    assert "content/articles/a-folder.md: cannot read file: Is a directory" in map(str, once_load[1])
    assert str(extra[0][1]) not in once._loaded and set(once._loaded) == set(kept._loaded)
    monkeypatch.setattr(session_mod, "SPLIT_MIN", 2)  # the same in two processes (pool.shared)
    assert loaded(False, 2)[1] == kept_load
