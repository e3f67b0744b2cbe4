"""``memo(macro, ...)`` in templates: each distinct call made once per build, the page unchanged."""
from __future__ import annotations

import jinja2

from dossier import render
from dossier.pipeline import build_site
from tests.conftest import REPO_ROOT

MACROS = "{% macro item(a, b=1) %}<{{ count(a) }}{{ a }}/{{ b }}>{% endmacro %}"


def _env(calls: list) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader({"m.html": MACROS}), autoescape=True)
    env.globals["count"] = lambda a: calls.append(a) or ""
    return env


def test_a_macro_is_called_once_per_distinct_arguments():
    calls: list = []
    page = _env(calls).from_string('{% from "m.html" import item with context %}'
                                   "{% for a in xs %}{{ memo(item, a) }}{{ memo(item, a, b=2) }}{% endfor %}")
    html = page.render(xs=["x", "<y>", "x", "x", "<y>"], memo=render.MacroMemo())
    assert html == "<x/1><x/2><&lt;y&gt;/1><&lt;y&gt;/2>" + "<x/1><x/2>" * 2 + "<&lt;y&gt;/1><&lt;y&gt;/2>"
    assert calls == ["x", "x", "<y>", "<y>"]  # 4 distinct calls, 10 made


def test_arguments_that_cannot_be_keys_and_plain_functions_are_called_each_time():
    calls: list = []
    page = _env(calls).from_string('{% from "m.html" import item with context %}'
                                   "{{ memo(item, [1]) }}{{ memo(item, [1]) }}{{ memo(upper, 'a') }}")
    assert page.render(memo=render.MacroMemo(), upper=str.upper) == "<[1]/1><[1]/1>A"
    assert len(calls) == 2


def test_the_default_theme_gives_the_same_pages_with_and_without_the_memo(monkeypatch, tmp_path, tree):
    """The theme memoises only macros whose output depends on their arguments alone."""
    made = []
    real = render.MacroMemo.__call__

    def counted(self, macro, *args, **kwargs):
        made.append(macro.name)
        return real(self, macro, *args, **kwargs)

    monkeypatch.setattr(render.MacroMemo, "__call__", counted)
    with_memo = build_site(REPO_ROOT, out=tmp_path / "memo", workers=1)
    monkeypatch.setattr(render.MacroMemo, "__call__", lambda self, macro, *a, **kw: macro(*a, **kw))
    without = build_site(REPO_ROOT, out=tmp_path / "plain", workers=1)
    assert with_memo.ok and without.ok
    assert {"article_item", "entity_chip", "kind_label", "report_heading", "asset_links", "site_header",
            "footer_links"} <= set(made)
    assert tree(tmp_path / "memo") == tree(tmp_path / "plain")
