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
