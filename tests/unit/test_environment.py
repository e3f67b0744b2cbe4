"""``render.make_env``: templates kept in a plain dict, each with its globals a plain dict; the pages unchanged."""
from __future__ import annotations

import functools
import types

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from dossier import render
from dossier.pipeline import build_site
from tests.conftest import REPO_ROOT


def test_a_templates_globals_are_a_dict_of_the_environments_and_its_own():
    env = render.make_env(REPO_ROOT)
    env.loader = jinja2.DictLoader({"a.html": "{{ range(2)|list }} {{ x }} {{ y }}"})
    tmpl = env.get_template("a.html", globals={"x": "own"})
    assert type(tmpl.globals) is dict and tmpl.globals["range"] is range and tmpl.globals["x"] == "own"
    assert tmpl.render(y="<page>") == "[0, 1] own &lt;page&gt;"
    assert tmpl.render(y="p", x="the page's own wins") == "[0, 1] the page&#39;s own wins p"


def test_templates_are_kept_in_a_dict_and_loaded_once():
    env = render.make_env(REPO_ROOT)
    assert type(env.cache) is dict
    loads = []
    real = env.loader.get_source

    def counting(environment, name):
        loads.append(name)
        return real(environment, name)

    env.loader.get_source = counting
    for _ in range(3):
        assert env.get_template("article.html") is env.get_template("article.html")
    assert loads == ["article.html"]


def test_the_default_theme_gives_the_same_pages_as_with_jinjas_own_environment(monkeypatch, tmp_path, tree):
    ours = build_site(REPO_ROOT, out=tmp_path / "ours", workers=1)
    made = []
    monkeypatch.setattr(render, "Environment", lambda **kw: made.append(jinja2.Environment(**{**kw, "cache_size": 400}))
                        or made[-1])
    stock = build_site(REPO_ROOT, out=tmp_path / "stock", workers=1)
    assert ours.ok and stock.ok and made
    assert tree(tmp_path / "ours") == tree(tmp_path / "stock")


class _Counter:
    """A callable object whose ``__call__`` takes the context (Jinja's ``Context.call`` looks there too)."""

    @jinja2.pass_context
    def __call__(self, context, n):
        return f"{context['who']}:{n}"


def _stop():
    raise StopIteration


class _Record:
    """Methods as a theme's records may have them: one plain, one taking the context, one a callable object's."""

    def own(self, n):
        return f"o{n}"

    @jinja2.pass_context
    def marked(self, context, n):
        return f"k{context['who']}{n}"


class _Callable:
    def __call__(self, record, n):
        return f"w{type(record).__name__}{n}"


_Record.wrapped = types.MethodType(_Callable(), _Record())  # a method whose function is not a function


def _calls(env: jinja2.Environment) -> str:
    env.loader = jinja2.DictLoader({"a.html": (
        "{% macro m(x) %}<{{ x }}>{% endmacro %}"
        "{{ plain('a') }} {{ obj.method(1) }} {{ builtin([3, 1, 2]) }} {{ ctx_fn(2) }} {{ env_fn() }} {{ eval_fn() }} "
        "{{ counter(3) }} {{ m('&') }} {% for i in [1, 2] %}{{ plain(i, k=i) }}{{ ctx_fn(i) }}{% endfor %} "
        "{% set who = 'set' %}{{ ctx_fn(4) }} [{{ stop() is undefined }}] {{ rec.own(5) }} {{ rec.marked(6) }} "
        "{{ rec.wrapped(7) }} {{ 'x'.join(['a', 'b']) }}")})
    return env.get_template("a.html").render(
        who="page", plain=lambda x, k=0: f"p{x}{k}", obj=type("O", (), {"method": lambda self, n: f"m{n}"})(),
        builtin=sorted, ctx_fn=jinja2.pass_context(lambda c, n: f"c{c['who']}{n}"),
        env_fn=jinja2.pass_environment(lambda e: type(e).__name__ != ""),
        eval_fn=jinja2.pass_eval_context(lambda e: e.autoescape), counter=_Counter(), stop=_stop, rec=_Record())


def test_a_context_calls_what_jinjas_own_calls_with_the_same_arguments():
    """``render.Context.call``: plain functions, methods and builtins called at once; anything marked to take
    the context, the environment or the evaluation context (or whose ``__call__`` is) as Jinja calls it."""
    ours = render.make_env(REPO_ROOT)
    assert ours.context_class is render.Context
    stock = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    got = _calls(ours)
    assert got == _calls(stock)
    assert got == "pa0 m1 [1, 2, 3] cpage2 True True page:3 <&amp;> p11cpage1p22cpage2 cset4 [True] o5 kset6 w_Record7 axb"


class _Html:
    """An object with ``__html__`` (its own escaped form), as a theme's records may have."""

    def __init__(self, html) -> None:
        self.html = html

    def __html__(self):
        return self.html


class _Shout(Markup):
    """A ``Markup`` whose ``__html__`` is not itself: ``output_escape`` must ask it, as MarkupSafe does."""

    def __html__(self):
        return Markup(str.upper(self))


_TEXT = st.text(alphabet=st.sampled_from("a <>&\"'’\u2028é\x00;#x"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_output_escape_gives_markupsafes_text(text):
    """What a template's compiled code writes for a value is ``markupsafe.escape``'s text of it."""
    for value in (text, Markup(text), _Shout(text), _Html(text), _Html(7), text.encode(), len(text), None, [text],
                  type("S", (str,), {})(text)):
        got = render.output_escape(value)
        assert got == str(escape(value)) and type(got) in (str, Markup, _Shout)


# Every way a template writes a value: output, macros, call blocks, set blocks, filter blocks, blocks and
# super(), includes, imports with and without context, loops, conditionals, autoescape off and on again.
_CONSTRUCTS = {
    "base.html": ("<{{ v }}>{% block b %}[{{ v ~ m }}]{% endblock %}{{ m }}{{ h }}{{ n }}"
                  "{% autoescape false %}{{ v }}{% endautoescape %}"),
    "_m.html": ("{% macro mac(x) %}({{ x }}{{ v }}){% endmacro %}"
               "{% macro wrap(x) %}[{{ x }}{{ caller() }}]{% endmacro %}"),
    "inc.html": "{{ v|upper }}{% for i in [v, m, h] %}{{ loop.index }}{{ i }}{% endfor %}",
    "page.html": ("{% extends 'base.html' %}{% from '_m.html' import mac, wrap with context %}{% import '_m.html' as n2 %}"
                  "{% block b %}{{ super() }}{{ mac(v) }}{% call wrap(m) %}{{ v }}{% endcall %}{% call n2.wrap(h) %}{{ v }}{{ n }}{% endcall %}"
                  "{% set s %}{{ v }}{{ m }}{% endset %}{{ s }}{{ s|length }}"
                  "{% filter upper %}{{ v }}{{ m }}{% endfilter %}{% include 'inc.html' %}"
                  "{% if v %}{{ v[:3] }}{% else %}{{ n }}{% endif %}{{ v|e }}{{ m|safe }}{{ v ~ n }}"
                  "{% autoescape false %}{{ v }}{% autoescape true %}{{ v }}{% endautoescape %}{% endautoescape %}"
                  "{% endblock %}"),
}


@functools.cache
def _construct_envs() -> tuple[jinja2.Environment, jinja2.Environment]:
    """Ours and Jinja's own, over ``_CONSTRUCTS`` (made once: each compiles the templates it is asked for)."""
    ours = render.make_env(REPO_ROOT)
    ours.loader = jinja2.DictLoader(_CONSTRUCTS)
    return ours, jinja2.Environment(loader=jinja2.DictLoader(_CONSTRUCTS), autoescape=True, trim_blocks=True,
                                    lstrip_blocks=True, undefined=jinja2.StrictUndefined)


@settings(max_examples=150, deadline=None)
@given(_TEXT, _TEXT)
def test_templates_write_what_jinjas_own_write(text, markup):
    """A page's text is the same with ``output_escape`` in its compiled code as with Jinja's own escape."""
    ours, stock = _construct_envs()
    page = ours.get_template("page.html")
    assert page.root_render_func.__globals__["escape"] is render.output_escape
    values = {"v": text, "m": Markup(markup), "h": _Html(markup), "n": len(text)}
    assert page.render(values) == stock.get_template("page.html").render(values)
