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
