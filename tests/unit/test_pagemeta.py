"""dossier/pagemeta.py: the JSON-LD a page's ``<script>`` carries cannot end or change the element."""
from __future__ import annotations

import json

import pytest

from dossier.pagemeta import script_json

SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


@pytest.mark.parametrize("value", ["plain", "</script><script>alert(1)</script>", "<!-- a & b -->", "line\u2028sep\u2029x",
                                   "“curly” ’quotes’ – é ü 中文", "\\u003c already", {"nested": ["<a>", {"b": "&"}]}, ""])
def test_script_json_escapes_the_five_marks_and_reads_back_the_same(value):
    data = {"@type": "WebPage", "name": value, "list": [value, 1]}
    text = str(script_json(data))
    reference = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).translate(SAFE)
    assert text == reference
    assert not any(mark in text for mark in "<>&\u2028\u2029")
    assert json.loads(text) == data


def test_meta_tags_write_each_tag_escaped_the_same_on_every_call():
    """``meta_tags``: a tag's escaped start is kept from one page to the next; the bytes stay those of
    the tags escaped one by one, for a theme's own names too, however many there are."""
    from dossier import pagemeta
    from dossier.render import escape_text

    def reference(tags):
        return "".join(f'<meta {escape_text(a)}="{escape_text(n)}" content="{escape_text(c)}">\n' for a, n, c in tags)

    tags = [("property", "og:title", "A & <b>"), ("name", 'x"y', "'q'"), ("a<b", "n&m", "")]
    assert pagemeta.meta_tags(tags) == reference(tags)
    assert pagemeta.meta_tags(tags[::-1]) == reference(tags[::-1])
    many = [("name", f"theme:{n}<", f"c{n}") for n in range(400)]
    assert pagemeta.meta_tags(many) == reference(many)
    assert len(pagemeta._TAG_STARTS) <= 256
