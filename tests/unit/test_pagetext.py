"""dossier.pagetext: the article text and passages read back from a built page."""
from dossier.pagetext import first_words, read_body, read_page

PAGE = ('<html><head><script>var x = "<p>no</p>";</script></head><body><nav>Menu</nav><main>'
        '<h1>T&amp;itle</h1><div class="body"><p><mark class="k-note" id="ann-a" data-note="ann-a">One </mark>'
        '<a class="m" href="/e/"><mark class="k-note" data-note="ann-a">two</mark></a><sup class="note-ref">'
        '<a href="#n">1</a></sup> three.</p>\n<aside class="sidenote"><p>A note, <b>bold</b>.</p></aside>'
        '<p>Four<br>five &lt;six&gt;.</p></div></main><footer>Foot</footer></body></html>')


def test_body_text_leaves_out_notes_and_their_numbers():
    text = read_page(PAGE)
    assert text.body == "One two three.\nFourfive <six>."  # as the DOM's textContent: a <br> adds nothing


def test_a_passage_spans_all_its_marks():
    text = read_page(PAGE)
    start, end = text.passages["ann-a"]
    assert text.body[start:end] == "One two"


def test_main_text_is_the_reader_visible_main_only():
    main = read_page(PAGE).main
    assert main.startswith("T&itle One two1 three.") and "A note, bold. Four five <six>." in main
    assert "Menu" not in main and "Foot" not in main and "no" not in main.split()


def test_the_same_text_as_the_tag_by_tag_reader_on_every_seed_page(tmp_path):
    """The regular-expression reader gives what the first, tag-by-tag reader gave, page for page."""
    from dossier.pipeline import build_site
    from tests.helpers import REPO_ROOT
    from tests.helpers.pagetext_reference import read_page as reference

    assert build_site(REPO_ROOT, out=tmp_path / "site").ok
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) > 50
    with_marks = 0
    for path in pages:
        html = path.read_text(encoding="utf-8")
        new, old = read_page(html), reference(html)
        assert (new.main, new.body, new.passages) == (old.main, old.body, old.passages), path
        with_marks += bool(new.passages)
    assert with_marks >= 4  # the seed's annotated reports


def test_nested_elements_end_where_their_own_closing_tag_is():
    page = ('<main><div class="body"><div><p>In <mark data-note="ann-x">a <sup class="note-ref"><sup>1</sup>'
            '</sup>b</mark>.</p></div><aside class="sidenote"><aside>x</aside>y</aside><p>after</p></div>'
            '<p>outside</p></main>')
    text = read_page(page)
    assert text.body == "In a b.after"
    assert text.body[slice(*text.passages["ann-x"])] == "a b"
    assert text.main == "In a 1b. x y after outside"  # a <sup> is inline: no space before "b"


def test_the_first_words_are_those_of_the_whole_main_text():
    """``first_words`` reads a page only as far as it needs: the same words as ``main``, on pages
    long and short, whatever the word count asked."""
    para = "<p>Alpha <em>be</em>ta &amp; <a href='/x/'>gam<b>ma</b></a> delta.</p><ul><li>one</li><li>two</li></ul>"
    for page in (PAGE, f"<main><h1>Long</h1>{para * 2000}</main>", f"<main>{'word ' * 5000}</main>",
                 "<main>" + "x" * 9000 + "<p>y</p></main>"):
        for n in (0, 1, 7, 300, 1000, 10 ** 6):
            assert read_page(page).first_words(n) == read_page(page).main.split()[:n], (page[:40], n)


BODY = ('<p><mark class="k-note" data-note="ann-a">One</mark> two &amp; <b>three</b>.</p>\n'
        '<aside class="sidenote"><div class="note-body"><p>Note.</p></div></aside><p>Four.</p>')


def _page(before: str = "<h1>T</h1>", inside: str = f"\n{BODY}\n", after: str = "<footer>F</footer>") -> str:
    return f'<html><head><script>x</script></head><body><main>{before}<div class="body">{inside}</div>{after}</main>'


def test_the_body_handed_over_reads_as_the_page_does():
    page = _page()
    assert read_body(page, BODY) == read_page(page).read() == ("\nOne two & three.\nFour.\n", {"ann-a": (1, 4)})


def test_a_page_that_does_not_hold_the_body_as_handed_over_is_read_whole():
    """Any theme may wrap the body otherwise, or hide or end elements around it: then the page is read."""
    pages = {
        "more in the div": _page(inside=f"\n{BODY}\n<p>Extra</p>\n"),
        "other spacing": _page(inside=BODY),
        "a comment before it": _page(before='<!-- <div class="body">x</div> -->'),
        "a script before it": _page(before='<script>"<div class=\\"body\\">"</script>'),
        "main closed before it": '<main><p>M</p></main><div class="body">\n' + BODY + '\n</div>',
        "no body div": f"<main>{BODY}</main>",
        "no main": f'<div class="body">\n{BODY}\n</div>',
    }
    for name, page in pages.items():
        assert read_body(page, BODY) is None, name
    bodies = {"a div it closes that it did not open": "<p>a</p></div><div><p>b</p>",
              "a div it leaves open": "<div><p>a</p>", "a comment in it": "<p>a<!-- b --></p>",
              "a script in it": "<script>b</script><p>a</p>"}
    for name, body in bodies.items():
        assert read_body(_page(inside=f"\n{body}\n"), body) is None, name


def test_every_seed_report_is_read_from_the_body_handed_over(tmp_path, monkeypatch):
    """With the default theme no article page is read back whole, and what is read equals the page's."""
    from dossier import article_pages, pipeline
    from tests.helpers import REPO_ROOT

    seen = []
    monkeypatch.setattr(article_pages, "read_body", lambda page, html, text: seen.append(
        (page, read_body(page, html, text))) or seen[-1][1])
    assert pipeline.build_site(REPO_ROOT, out=tmp_path / "site", workers=1).ok
    assert len(seen) == len(list((REPO_ROOT / "content" / "articles").glob("*.md")))
    for page, got in seen:
        assert got is not None and got == read_page(page).read()
    assert sum(bool(got[1]) for _page, got in seen) >= 4  # the annotated reports too


def test_the_first_words_of_a_page_s_bytes_are_read_page_s(tmp_path):
    """``first_words(bytes, n)`` (read from the page's head only where nothing there hides text) gives
    ``read_page``'s first words on every seed page and on pages that hide or end elements early."""
    from dossier.pipeline import build_site
    from tests.helpers import REPO_ROOT

    assert build_site(REPO_ROOT, out=tmp_path / "site").ok
    pages = [p.read_bytes() for p in sorted((tmp_path / "site").rglob("*.html"))]
    words = "<p>Ünïcode “quoted” w&amp;rd <a href='/x/'>li<b>nk</b></a> end.</p>" * 900
    pages += [f"<main>{before}{words}</main><p>after</p>".encode("utf-8") for before in (
        "", "<!-- a <p>comment</p> -->", "<script>var s = '<p>x</p>';</script>", "</main><main>",
        "<h1>T</h1>" + "<b>" * 3000 + "x")]
    pages += [b"<p>no main</p>" * 2000, "<main>é</main>".encode("utf-8")]
    for page in pages:
        for n in (0, 1, 300, 5000):
            assert first_words(page, n) == read_page(page.decode("utf-8")).first_words(n), (page[:60], n)


def test_block_tags_break_lines_in_any_case_of_their_names():
    """The quicker lower-case reading is taken only where every tag name is lower-case ASCII: a capital,
    a letter that matches one case-insensitively (long s, Kelvin sign) or a comment takes the exact one."""
    from dossier.pagetext import _BREAK, _breaks

    for html in ("<P>a</P><Div>b</dIv>", "<\u017fection>x</\u017fection>y", "<bloc\u212aquote>q</bloc\u212aquote>",
                 "<p>a<br/>b</p>", "<!-- c --><li>x", "<h1>T</h1><H2>u</H2>", "a<td\tx>b<TD>c", "<main>one</main>"):
        assert _breaks(html) == _BREAK.sub(" ", html), html


def test_the_block_tags_pattern_takes_exactly_the_block_elements_names():
    """``_BLOCKS`` groups the names by their first letter: it matches the tags of exactly the names the
    reference reader breaks lines at (``pagetext_reference._BREAK``), in either case, and no other name."""
    import re

    from dossier.pagetext import _BREAK, _BREAK_LOWER
    from tests.helpers.pagetext_reference import _BREAK as NAMES

    plain = re.compile(r"</?(?:" + "|".join(sorted(NAMES)) + r")\b[^>]*>")
    others = ["a", "b", "abbr", "span", "hgroup", "h7", "h", "pr", "prefix", "tbody", "thead", "t", "ulx", "mainly",
              "navx", "d", "dx", "lis", "l", "section2", "articles", "dialog", "details", "font", "mark", "sup"]
    for name in [*NAMES, *others]:
        for tag in (f"<{name}>", f"</{name}>", f'<{name} class="x">', f"<{name}/>", f"<{name}-x>", f"<{name}>x"):
            for cased, exact in ((_BREAK_LOWER, plain), (_BREAK, re.compile(plain.pattern, re.I))):
                for text in (tag, tag.upper(), f"x{tag}y{tag}"):
                    assert cased.sub(" ", text) == exact.sub(" ", text), text
    assert _BREAK_LOWER.sub(" ", "<p>a</p><pre>b</pre><h6>c</h6>") == " a  b  c "


def test_a_body_s_text_known_from_rendering_is_taken_where_the_page_holds_that_body():
    """``body_text`` (the renderer's text of plain paragraphs) is taken as it is, but only once the page
    around the body was checked as for any body: a page that does not hold it is read whole."""
    body = '<p id="par-1"><a class="m" href="/e/">Name</a> said &quot;so&quot;.</p>\n<p>Two.</p>\n'
    known = 'Name said "so".\nTwo.\n'
    page = _page(inside=f"\n{body}\n")
    assert read_body(page, body, known) == read_body(page, body) == read_page(page).read() == (f"\n{known}\n", {})
    assert read_body(page, body, "taken, not read") == ("\ntaken, not read\n", {})
    for other in (_page(inside=body), _page(before="<!-- x -->", inside=f"\n{body}\n"),
                  _page(inside=f"\n{body}\n<p>Extra</p>\n")):
        assert read_body(other, body, known) is None


def test_every_plain_report_s_text_comes_from_its_renderer(tmp_path, monkeypatch):
    """In a build of the benchmark's archive every report's text is handed over by the renderer (no
    read-back), and equals what the page reads as: a plain report's text alone, an annotated report's
    text with its passages' offsets."""
    from dossier import article_pages, pipeline
    from tests.helpers.bench_archive import generate

    generate(tmp_path / "archive", 40, seed=3)
    seen = []

    def checked(page, html, text):
        got = read_body(page, html, text)
        seen.append(type(text).__name__)
        assert got is not None and got == read_body(page, html) == read_page(page).read()
        if isinstance(text, tuple):
            assert got[1] and text[1]  # passages placed, handed over
        return got
    monkeypatch.setattr(article_pages, "read_body", checked)
    assert pipeline.build_site(tmp_path / "archive", out=tmp_path / "site", workers=1).ok
    assert len(seen) == 40 and 0 < seen.count("tuple") < seen.count("str") and seen.count("NoneType") == 0


def test_an_annotated_body_s_text_known_from_rendering_is_taken_once_the_body_was_checked():
    """The text and passages of annotated prose (a pair) are taken where the page holds the body and the
    body itself hides nothing and closes its own ``<div>``s (margin notes hold them): else it is read."""
    body = ('<p id="par-1">One <mark class="k-note" data-note="ann-a">two</mark> three.</p>\n'
            '<aside class="sidenote k-note" id="note-ann-a"><div class="note-body"><p>N.</p></div>\n</aside>\n')
    known = ("One two three.\n\n", {"ann-a": (4, 7)})
    page = _page(inside=f"\n{body}\n")
    assert read_body(page, body, known) == read_body(page, body) == read_page(page).read() == \
        ("\nOne two three.\n\n\n", {"ann-a": (5, 8)})
    for name, bad in {"a comment in it": body + "<!-- x -->", "a div it leaves open": body + "<div>"}.items():
        assert read_body(_page(inside=f"\n{bad}\n"), bad, known) is None, name
    assert read_body(_page(inside=body), body, known) is None
