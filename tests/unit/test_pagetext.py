"""dossier.pagetext: the article text and passages read back from a built page."""
from dossier.pagetext import read_page

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
