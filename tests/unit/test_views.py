"""dossier/views.py: each page kind's view is exactly the data its template gets, hashable,
and equal when made twice from the same archive."""
from __future__ import annotations

import datetime as dt

import jinja2
import pytest
from markupsafe import Markup

from dossier.config import SiteConfig
from dossier.errors import ErrorList
from dossier.index import build_index
from dossier.model import Annotation, Article, Entity, Mention, Page
from dossier.site import assemble
from dossier import views
from dossier.claimviews import claim_infos
from dossier.urls import Urls


def article(slug, day, outlet="daily", tags=(), story="s"):
    return Article(slug=slug, title=slug.title(), outlet=outlet, published=dt.date(2023, 9, day), body="Body.",
                   body_line=5, source=f"content/articles/{slug}.md", story=story, tags=tags)


def entity(slug, name, typ, **kw):
    return Entity(slug=slug, name=name, type=typ, source=f"content/entities/{slug}.md", **kw)


ANN = Annotation(article="a", quote="Body", note="n", note_line=3, line=1, source="content/annotations/a.md",
                 id="body", kind="discrepancy", claim="count", value="3")


@pytest.fixture
def world():
    errors = ErrorList()
    site = assemble(SiteConfig.for_test(base_url="https://ex.org/sub/"), [
        entity("daily", "Daily", "outlet", description="A paper."), entity("weekly", "Weekly", "outlet"),
        entity("ann", "Ann Example", "person"), entity("vote", "The Vote", "event", date=dt.date(2023, 9, 1)),
        article("a", 1, tags=("army",)), article("b", 2, outlet="weekly", tags=("army", "navy")), article("c", 3),
        Page(slug="about", title="About", body="Hi.", body_line=4, source="content/pages/about.md", order=1), ANN,
    ], errors)
    assert not errors, errors.items
    m = Mention("ann", "content/articles/a.md", "Ann Example spoke.", 0, 11)
    res = type("R", (), {})
    results = {}
    for slug, ms, placed in (("a", [m], ["body"]), ("b", [Mention("ann", "content/articles/b.md", "Ann.", 0, 3)], []),
                             ("c", [], [])):
        r = res()
        r.mentions, r.note_mentions, r.anchored = ms, [], placed
        r.verbatim = {"body": "the article’s own words"} if placed else {}
        results[slug] = r
    return site, views.make_frame(site), build_index(site, results)


def same_twice(make):
    """Made twice, a view is equal and hashes equal: what the preview's memo relies on."""
    one, two = make(), make()
    assert one == two and hash(one) == hash(two) and one is not two
    return one


def test_frame_and_page_meta(world):
    site, frame, _ = world
    view = same_twice(lambda: views.not_found_view(frame))
    assert view.page == views.PageMeta("Page not found", "404.html", "/sub/404.html", "https://ex.org/sub/404.html",
                                       "", "404.html")
    assert [(n.title, n.url, n.current) for n in view.nav][-1] == ("About", "/sub/about/", False)
    assert dict(view.outlet_index) == {"daily": site.entities["daily"], "weekly": site.entities["weekly"]}


def test_home_view(world):
    site, frame, index = world
    view = same_twice(lambda: views.home_view(frame, site, index.articles_of))
    assert [a.slug for a in view.articles] == ["c", "b", "a"]
    assert view.main_entities == ((site.entities["ann"], 2),)
    assert view.timeline == (site.entities["vote"],)
    assert view.entity_count == 2 and dict(view.note_counts) == {"a": 1}
    assert view.page.template == "home.html" and view.page.path == ""


def test_article_view_and_its_key(world):
    site, frame, _ = world
    m = Mention("ann", "content/articles/a.md", "Ann Example spoke.", 0, 11)
    view = same_twice(lambda: views.article_view(frame, site, "a", Markup("<p>Body.</p>"), [m, m], (ANN,),
                                                 [("b", 1), ("c", 0)]))
    assert view.article is site.articles["a"] and view.outlet is site.entities["daily"]
    assert view.mentioned == ((site.entities["ann"], 2),)
    assert dict(view.note_counts) == {"a": 1}  # of the articles in the view: b and c have none
    assert [a.slug for a, _ in view.coverage] == ["b", "c"] and view.annotations == (ANN,)
    assert view.page.description == "Daily, 1 September 2023"
    key = view.key()  # the body's digest instead of the body
    assert key.body.startswith("digest:") and key.article is view.article
    assert key != views.article_view(frame, site, "a", Markup("<p>Other.</p>"), [m, m], (ANN,), []).key()


def test_entity_view(world):
    site, frame, index = world
    by_source = {a.source: a for a in site.articles.values()}
    view = same_twice(lambda: views.entity_view(frame, site, "ann", Markup(""), index.mentions["ann"],
                                                index.together.get("ann", ()), [], by_source))
    assert [(a.slug, len(ms)) for a, ms in view.mentions] == [("a", 1), ("b", 1)]
    outlet = views.entity_view(frame, site, "daily", Markup(""), [], (), [], by_source)
    assert [a.slug for a in outlet.outlet_articles] == ["a", "c"]
    assert outlet.page.description == "A paper."


def test_listing_views(world):
    site, frame, index = world
    entities = same_twice(lambda: views.entities_view(frame, site, index.articles_of))
    assert [(t, [(e.slug, n) for e, n in ents]) for t, _l, ents in entities.groups] == [
        ("person", [("ann", 2)]), ("event", [("vote", 0)]), ("outlet", [("daily", 0), ("weekly", 0)])]
    outlets = same_twice(lambda: views.outlets_view(frame, site))
    assert [(o.slug, [a.slug for a in arts]) for o, arts in outlets.outlets] == [("daily", ["a", "c"]), ("weekly", ["b"])]
    tags, *tag_pages = same_twice(lambda: tuple(views.tag_views(frame, site)))
    assert tags.tags == (("army", 2), ("navy", 1))
    assert [(v.tag, [a.slug for a in v.articles]) for v in tag_pages] == [("army", ["b", "a"]), ("navy", ["b"])]
    assert tag_pages[0].page.url == "/sub/tags/army/"


def test_annotation_views(world):
    site, frame, index = world
    infos = claim_infos(index.claims, site.claims, index.verbatim)
    page, claim = same_twice(lambda: tuple(views.annotation_views(frame, site, index.placed, index.claims, infos)))
    head = site.heads["a"]  # what listings show of an article: its front matter, not its body
    assert page.total == 1 and page.by_kind == (("discrepancy", "Discrepancy", ((ANN, head),)),)
    assert page.by_article == ((head, (ANN,)),) and page.claims == (("count", ((ANN, head),)),)
    assert claim.claim == "count" and [(r.annotation, r.article) for r in claim.info.rows] == [(ANN, head)]
    assert claim.info.rows[0].passage == "the article’s own words"  # not the editor's typed quote
    assert claim.page.title == "Count" and claim.page.path == "claims/count/" and claim.others == ()


def test_free_page_view(world):
    site, frame, _ = world
    view = same_twice(lambda: views.free_page_view(frame, site.pages["about"], Markup("<p>Hi.</p>")))
    assert view.doc is site.pages["about"] and view.key().body.startswith("digest:")
    assert [n.current for n in view.nav][-1] is True  # the About entry is this page


def test_helpers_read_only_the_view(world):
    site, frame, index = world
    urls = Urls("/sub/", "https://ex.org")
    home = views.home_view(frame, site, index.articles_of)
    h = views.helpers(urls, home)
    assert h["url_for"]("tag", "army") == "/sub/tags/army/" and h["href"](site.entities["ann"]) == "/sub/entities/ann/"
    assert h["outlet_name"](site.articles["b"]) == "Weekly" and h["note_count"](site.articles["a"]) == 1
    assert h["outlet_of"](article("x", 1, outlet="gone")) is None
    assert views.helpers(urls, views.not_found_view(frame))["note_count"](site.articles["a"]) == 0  # not in the view
    assert h["kind_labels"]["shared"] == "Also in"


LOOP = ("{% for m in ms %}<li>{% if m.number %}<a href=\"{{ link }}#m-{{ m.number }}\">{{ highlight(m) }}</a>"
        "{% elif m.block %}<a href=\"{{ link }}#par-{{ m.block }}\">{{ highlight(m) }}</a>{% else %}{{ highlight(m) }}"
        "{% endif %}</li>\n{% endfor %}")


def test_mention_items_writes_what_the_template_loop_over_the_mentions_wrote():
    """An entity page's sentences of one report, in one call (the default theme's ``mention_items``):
    the bytes of the Jinja loop it replaced, escaping included."""
    ms = (Mention("ann", "content/articles/a.md", "Ann <Example> & co. said \"no\".", 0, 13, block=2, number=3),
          Mention("ann", "content/articles/a.md", "Then 'Ann' left.", 6, 9, block=4),
          Mention("ann", "content/annotations/a.md", "A note on Ann.", 10, 13))
    loop = jinja2.Environment(autoescape=True).from_string(LOOP)
    for link in ("/sub/articles/a/", "/q?a=1&b=\"2\""):
        made = views.mention_items(link, ms)
        assert isinstance(made, Markup)
        assert made == loop.render(ms=ms, link=link, highlight=views.highlight)
    assert views.mention_items("/x/", ()) == ""
    assert '<li><a href="/x/#m-3"><strong>Ann &lt;Example&gt;</strong> &amp; co.' in views.mention_items("/x/", ms[:1])


@pytest.mark.parametrize("text", ["", "plain words", "Ann <Example> & co. said \"no\" and 'yes'.", "&amp; already",
                                  "“curly” ’quotes’ – dash \u2028 line", "<script>alert('x')</script>", "a&b<c>d\"e'f"])
def test_escape_text_is_markupsafe_escape(text):
    from markupsafe import escape

    from dossier.render import _escape_replacing, escape_text

    assert escape_text(text) == str(escape(text)) == _escape_replacing(text)  # MarkupSafe's C escaping, or ours
    assert type(escape_text(text)) is str


def _loop_in(template: str, start: str, helper: str) -> str:
    """The loop a default theme's template keeps in a comment beside the ``helper`` call that replaced it."""
    from dossier.render import DEFAULT_LAYOUTS

    text = (DEFAULT_LAYOUTS / template).read_text(encoding="utf-8")
    at = text.index(start)
    loop = text[at:text.index("{% endfor %}", at) + len("{% endfor %}")]
    assert text.rfind("{#", 0, at) > text.rfind("#}", 0, at) and helper in text[at:]  # in a comment, then the call
    return loop


def test_mention_groups_writes_what_the_loop_in_entity_html_writes(world, tmp_path):
    """An entity page's reports naming it, in one call: the bytes of the loop the default theme kept as a
    comment (headings through the memo, counts, a headline, escaping, a link with marks in it)."""
    from dossier.render import MacroMemo, make_env

    site, _frame, _index = world
    a, b, c = (site.heads[s] for s in "abc")
    said = Mention("ann", "content/articles/a.md", "Ann <Example> & co. said \"no\".", 0, 13, block=2, number=3)
    mentions = ((a, (said, Mention("ann", "content/articles/a.md", "Then 'Ann' left.", 6, 9, block=4))),
                (b, ()), (c, (Mention("ann", "content/annotations/c.md", "A note on Ann.", 10, 13),)))
    headlines = views.FrozenMap({"b": Mention("ann", "content/articles/b.md", "Ann & the <vote>", 0, 3)})
    page = make_env(tmp_path).from_string('{% from "_macros.html" import report_heading with context %}' + _loop_in("entity.html", "{% for a, ms in mentions %}", "{{ mention_groups(mentions, headlines, report_heading)")
                           + "|{{ mention_groups(mentions, headlines, report_heading) }}")
    for base in ("/", "/q&a/"):
        view = views.entity_view(_frame, site, "ann", Markup(""), [], (), [], {})
        memo = MacroMemo()
        ctx = {**views.helpers(Urls(base, ""), view, memo), "memo": memo, "mentions": mentions, "headlines": headlines}
        loop, helper = page.render(ctx).split("|")
        assert loop == helper and helper.count('<section class="mention-group"') == 3
        assert "2 mentions" in helper and '<p class="in-headline">' in helper and "&lt;vote&gt;" in helper
        assert len(memo._made) == 3  # each report's heading made once, through the memo
    assert views.mention_groups((), headlines, str, str) == ""


def test_head_meta_writes_what_the_loop_in_base_html_writes(tmp_path):
    """``head.meta``: a page's Open Graph and Twitter tags in one call, the bytes of the loop over ``head.tags``
    that ``base.html`` keeps as a comment, escaping included."""
    from dossier.pagemeta import head_meta
    from dossier.render import make_env

    loop = make_env(tmp_path).from_string(_loop_in("base.html", "{% for attr, name, content in head.tags %}",
                                                   "{{ head.meta }}") + "|{{ head.meta }}")
    config = SiteConfig.for_test(base_url="https://ex.org/sub/")
    for title, description in (("Plain", ""), ("Ann <Example> & \"co\" 'said'", "A <b> & c’s “d”")):
        head = head_meta("page.html", title, description, "x/", {"config": config}, Urls("/sub/", "https://ex.org"))
        looped, made = loop.render(head=head).split("|")
        assert looped == made and made.count("<meta ") == len(head["tags"]) and isinstance(head["meta"], Markup)
    assert "content=\"Ann &lt;Example&gt; &amp; &#34;co&#34; &#39;said&#39;\"" in made


def _views_made(name: str, tmp_path, monkeypatch) -> list:
    """(site, view) of every call of ``emit.<name>`` in a build of the seed."""
    from dossier import emit
    from dossier.pipeline import build_site
    from tests.conftest import REPO_ROOT

    made = []
    real = getattr(emit, name)
    monkeypatch.setattr(emit, name, lambda *a, **kw: made.append((a[1], real(*a, **kw))) or made[-1][1])
    assert build_site(REPO_ROOT, out=tmp_path / "out", workers=1).ok
    return made


def _counts_found_by_walking(made: list) -> None:
    """Each view's ``note_counts`` are those of the articles a walk through every field of it finds."""
    from dataclasses import fields

    for site, view in made:
        found: dict = {}
        for f in fields(view):
            views._articles_in(getattr(view, f.name), found)
        assert view.note_counts == views.FrozenMap(sorted((s, n) for s in found if (n := len(site.annotations.get(s, ())))))


def test_an_entity_views_note_counts_are_those_of_every_article_in_its_fields(tmp_path, monkeypatch):
    """``entity_view`` names the articles its fields hold (``_make``'s ``_slugs``) instead of walking every
    mention: the counts are those the walk through every field finds, for every entity of the seed."""
    from tests.conftest import REPO_ROOT

    made = _views_made("entity_view", tmp_path, monkeypatch)
    assert len(made) == len(list((REPO_ROOT / "content" / "entities").rglob("*.md")))
    _counts_found_by_walking(made)
    views_ = [v for _site, v in made]
    assert any(v.note_counts and v.mentions for v in views_) and any(v.annotations for v in views_)
    assert any(v.outlet_articles for v in views_)


def test_an_article_views_note_counts_are_those_of_every_article_in_its_fields(tmp_path, monkeypatch):
    """``article_view`` names its own article and its other coverage's (``_make``'s ``_slugs``) instead of
    walking its entities, annotations and byline: the counts the walk finds, for every report of the seed."""
    made = _views_made("article_view", tmp_path, monkeypatch)
    assert len(made) == len(made[0][0].articles)
    _counts_found_by_walking(made)
    views_ = [v for _site, v in made]
    assert all(len(v.note_counts) > 1 for v in views_) and any(v.annotations and v.coverage for v in views_)


def test_an_entity_views_note_counts_count_the_reports_it_wrote(world):
    """A person's reports (``wrote``, from bylines) are articles of its view too: their notes counted."""
    site, frame, index = world
    by_source = {a.source: site.heads[a.slug] for a in site.articles.values()}
    alone = views.entity_view(frame, site, "vote", Markup(""), [], (), [], by_source)
    wrote = views.entity_view(frame, site, "vote", Markup(""), [], (), [], by_source, wrote=("a", "c"))
    assert dict(alone.note_counts) == {} and dict(wrote.note_counts) == {"a": 1}


def test_listing_views_count_the_notes_of_the_reports_they_list(world):
    """Home, outlets and tag pages name the reports they list (``_make``'s ``_slugs``) instead of their
    fields being searched for reports: the note counts are what a search of the fields finds."""
    site, frame, index = world
    made = [views.home_view(frame, site, index.articles_of), views.outlets_view(frame, site),
            *views.tag_views(frame, site)[1:]]
    for view in made:
        found: dict = {}
        for name in ("articles", "outlets"):
            if hasattr(view, name):
                views._articles_in(getattr(view, name), found)
        assert found, view.page.template
        want = {s: len(site.annotations[s]) for s in found if site.annotations.get(s)}
        assert dict(view.note_counts) == want
    assert dict(made[0].note_counts) == {"a": 1} and dict(made[1].note_counts) == {"a": 1}
