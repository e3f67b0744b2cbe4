"""``render.Template.render`` leaves no reference cycle: a page's objects are freed by reference
counting once its text is made, with the cyclic collector off (as during a build)."""
from __future__ import annotations

import gc
import weakref

import jinja2
import pytest
from markupsafe import Markup

from dossier import render
from dossier.pipeline import build_site
from tests.conftest import REPO_ROOT

LAYOUTS = {
    "base.html": "{% macro shout(x) %}<b>{{ x }}</b>{% endmacro %}<main>{% block body %}{% endblock %}</main>",
    "m.html": "{% macro item(v) %}<i>{{ v.title }} {{ page_title }}</i>{% endmacro %}",
    "page.html": ('{% extends "base.html" %}{% from "m.html" import item with context %}'
                  '{% import "m.html" as plain %}{% macro own(v) %}[{{ item(v) }}]{% endmacro %}'
                  "{% block body %}{{ own(view) }}{{ shout(view.title) }}{{ plain.item(view) }}"
                  '{% include "part.html" %}{% endblock %}'),
    "part.html": "{% macro inc() %}({{ view.title }}){% endmacro %}{{ inc() }}",
}


class View:
    def __init__(self, title: str) -> None:
        self.title = title


@pytest.fixture
def env():
    made = render.make_env(REPO_ROOT)
    made.loader = jinja2.DictLoader(LAYOUTS)
    made.undefined = jinja2.Undefined  # ``plain.item`` reads ``page_title``, which a module without context lacks
    return made


def _freed_at_once(env, name: str, **context) -> tuple[bool, str]:
    """Render ``name`` with a fresh view, the collector off; whether the view was freed as soon as
    the last reference this test holds went (reference counting alone), and the page."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        view = View("<t>")
        ref = weakref.ref(view)
        page = env.get_template(name).render(view=view, page_title="P", **context)
        del view
        return ref() is None, page
    finally:
        if enabled:
            gc.enable()


def test_a_page_with_macros_of_its_own_of_its_base_and_imported_with_context_leaves_no_cycle(env):
    freed, page = _freed_at_once(env, "page.html")
    assert page == "<main>[<i>&lt;t&gt; P</i>]<b>&lt;t&gt;</b><i>&lt;t&gt; </i>(&lt;t&gt;)</main>"
    assert freed


def test_jinjas_own_render_leaves_the_cycle_that_this_one_undoes(env):
    """The check above can fail: with Jinja's ``Template.render`` the view waits for the collector."""
    real = render.Template.render
    try:
        render.Template.render = jinja2.Template.render
        freed, page = _freed_at_once(env, "page.html")
    finally:
        render.Template.render = real
    assert page is not None and not freed
    gc.collect()


def test_a_module_imported_without_context_is_kept_for_later_renders(env):
    """Jinja keeps the module of an import without context on its template: its macros still work."""
    first = env.get_template("page.html").render(view=View("a"), page_title="P")
    second = env.get_template("page.html").render(view=View("b"), page_title="Q")
    assert "<i>a </i>" in first and "<i>b </i>" in second
    assert env.get_template("m.html").module.item(View("c")) == "<i>c </i>"


def test_a_render_inside_a_render_undoes_only_its_own_contexts(env):
    inner = env.get_template("page.html")
    env.globals["again"] = lambda: Markup(inner.render(view=View("in"), page_title="I"))
    env.loader.mapping["outer.html"] = '{% from "m.html" import item with context %}{{ again() }}{{ item(view) }}'
    freed, page = _freed_at_once(env, "outer.html")
    assert page == "<main>[<i>in I</i>]<b>in</b><i>in </i>(in)</main><i>&lt;t&gt; P</i>"
    assert freed


def test_a_build_of_the_seed_archive_leaves_no_page_in_a_cycle(tmp_path):
    """The default layouts' pages, rendered in this process (one worker): after the build nothing
    the collector would find holds a page's context."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = build_site(REPO_ROOT, out=tmp_path / "out", workers=1)
        assert result.ok
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        contexts = [o for o in gc.garbage if isinstance(o, jinja2.runtime.Context)]
        gc.set_debug(0)
        gc.garbage.clear()
    finally:
        if enabled:
            gc.enable()
    assert contexts == []
