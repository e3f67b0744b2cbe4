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
