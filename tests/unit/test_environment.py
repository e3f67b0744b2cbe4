"""``render.make_env``: templates kept in a plain dict, each with its globals a plain dict; the pages unchanged."""
from __future__ import annotations

import jinja2

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


def _calls(env: jinja2.Environment) -> str:
    env.loader = jinja2.DictLoader({"a.html": (
        "{% macro m(x) %}<{{ x }}>{% endmacro %}"
        "{{ plain('a') }} {{ obj.method(1) }} {{ builtin([3, 1, 2]) }} {{ ctx_fn(2) }} {{ env_fn() }} {{ eval_fn() }} "
        "{{ counter(3) }} {{ m('&') }} {% for i in [1, 2] %}{{ plain(i, k=i) }}{{ ctx_fn(i) }}{% endfor %} "
        "{% set who = 'set' %}{{ ctx_fn(4) }} [{{ stop() is undefined }}]")})
    return env.get_template("a.html").render(
        who="page", plain=lambda x, k=0: f"p{x}{k}", obj=type("O", (), {"method": lambda self, n: f"m{n}"})(),
        builtin=sorted, ctx_fn=jinja2.pass_context(lambda c, n: f"c{c['who']}{n}"),
        env_fn=jinja2.pass_environment(lambda e: type(e).__name__ != ""),
        eval_fn=jinja2.pass_eval_context(lambda e: e.autoescape), counter=_Counter(), stop=_stop)


def test_a_context_calls_what_jinjas_own_calls_with_the_same_arguments():
    """``render.Context.call``: plain functions, methods and builtins called at once; anything marked to take
    the context, the environment or the evaluation context (or whose ``__call__`` is) as Jinja calls it."""
    ours = render.make_env(REPO_ROOT)
    assert ours.context_class is render.Context
    stock = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    got = _calls(ours)
    assert got == _calls(stock)
    assert got == "pa0 m1 [1, 2, 3] cpage2 True True page:3 <&amp;> p11cpage1p22cpage2 cset4 [True]"
