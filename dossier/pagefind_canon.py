"""Make a Pagefind bundle byte-identical between runs.

Pagefind 1.5 writes each filter (``filter/<lang>_<hash>.pf_filter``) with its values in
hash-map order, which differs from run to run; the file's name is a hash of its bytes, the
language's metadata (``pagefind.<lang>_<hash>.pf_meta``) names the filter files (and lists
filters and sort orders in hash-map order too), and ``pagefind-entry.json`` names the
metadata file.  Everything else (index chunks, fragments, scripts) is already stable.

So: decode each filter and metadata file (gzip of ``pagefind_dcd`` + CBOR), sort what is
unordered, encode again, name each file after a hash of its new bytes, and point the
metadata and the entry file at the new names.  Only the CBOR types Pagefind uses here are
read (unsigned integers, text and byte strings, arrays).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re

MAGIC = b"pagefind_dcd"
_FILTER = re.compile(r"^filter/([a-z0-9-]+)_([0-9a-f]+)\.pf_filter$", re.I)
_META = re.compile(r"^pagefind\.([a-z0-9-]+)_([0-9a-f]+)\.pf_meta$", re.I)


def _decode(data: bytes, pos: int = 0):
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if info < 24:
        arg = info
    elif 24 <= info <= 27:
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise ValueError(f"CBOR item {head:#x} not expected in a Pagefind file")
    if major == 0:
        return arg, pos
    if major in (2, 3):
        raw = data[pos:pos + arg]
        return (raw if major == 2 else raw.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    raise ValueError(f"CBOR major type {major} not expected in a Pagefind file")


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def _encode(item) -> bytes:
    if isinstance(item, int):
        return _head(0, item)
    if isinstance(item, bytes):
        return _head(2, len(item)) + item
    if isinstance(item, str):
        raw = item.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(item)) + b"".join(_encode(x) for x in item)


def read_data(data: bytes):
    raw = gzip.decompress(data)
    if not raw.startswith(MAGIC):
        raise ValueError("not a Pagefind data file")
    item, _end = _decode(raw, len(MAGIC))
    return item


def _write(item) -> bytes:
    return gzip.compress(MAGIC + _encode(item), compresslevel=9, mtime=0)


def _name(lang: str, data: bytes, length: int) -> str:
    return f"{lang}_{hashlib.sha256(data).hexdigest()[:length]}"


def canonical_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` (path in the bundle -> bytes) with filters, metadata and entry made canonical."""
    out = dict(files)
    renamed: dict[str, str] = {}  # old hash name -> new
    for path, data in files.items():
        m = _FILTER.match(path)
        if not m:
            continue
        name, values = read_data(data)
        new = _write([name, sorted(values, key=lambda v: v[0])])
        new_name = _name(m.group(1), new, len(m.group(2)))
        renamed[f"{m.group(1)}_{m.group(2)}"] = new_name
        del out[path]
        out[f"filter/{new_name}.pf_filter"] = new
    entry = json.loads(files["pagefind-entry.json"])
    for path, data in files.items():
        m = _META.match(path)
        if not m:
            continue
        meta = read_data(data)
        meta[3] = sorted([name, renamed.get(h, h)] for name, h in meta[3])  # filters
        meta[4] = sorted(meta[4], key=lambda s: s[0])  # sort orders
        new = _write(meta)
        new_name = _name(m.group(1), new, len(m.group(2)))
        del out[path]
        out[f"pagefind.{new_name}.pf_meta"] = new
        for lang in entry["languages"].values():
            if lang["hash"] == f"{m.group(1)}_{m.group(2)}":
                lang["hash"] = new_name
    out["pagefind-entry.json"] = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return out
