"""dossier.pagefind_canon: Pagefind's filter files and metadata in one order, named by their bytes."""
import gzip
import json

from dossier.pagefind_canon import MAGIC, _decode, _encode, canonical_bundle, read_data


def pack(item) -> bytes:
    return gzip.compress(MAGIC + _encode(item), mtime=0)


def test_cbor_round_trip_of_the_types_pagefind_uses():
    item = ["1.5.2", [["en_abc", 70000], ["x" * 30, 2**40]], [], b"\x00\x01"]
    assert _decode(_encode(item))[0] == item


def bundle(values_order, filters_order):
    filt = pack(["type", [[v, [i]] for i, v in values_order]])
    other = pack(["outlet", [["X", [0, 1]]]])
    meta = pack(["1.5.2", [["en_p0", 3], ["en_p1", 4]], [],
                 [f for f in filters_order], [], ["title"]])
    return {"filter/en_1111111.pf_filter": filt, "filter/en_2222222.pf_filter": other,
            "pagefind.en_3333333333.pf_meta": meta, "fragment/en_p0.pf_fragment": b"f0",
            "pagefind-entry.json": json.dumps({"version": "1.5.2", "languages": {
                "en": {"hash": "en_3333333333", "wasm": "en", "page_count": 2}}}).encode()}


def test_two_hash_map_orders_give_the_same_bundle():
    a = canonical_bundle(bundle([(0, "Report"), (1, "Entity")], [["type", "en_1111111"], ["outlet", "en_2222222"]]))
    b = canonical_bundle(bundle([(1, "Entity"), (0, "Report")], [["outlet", "en_2222222"], ["type", "en_1111111"]]))
    assert a == b
    entry = json.loads(a["pagefind-entry.json"])
    meta = read_data(a[f"pagefind.{entry['languages']['en']['hash']}.pf_meta"])
    assert [name for name, _h in meta[3]] == ["outlet", "type"]
    for _name, h in meta[3]:
        assert f"filter/{h}.pf_filter" in a  # the metadata names the renamed filter files
    assert a["fragment/en_p0.pf_fragment"] == b"f0"
