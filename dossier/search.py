"""Search: the built pages indexed with Pagefind (its Python API and the binary PyPI ships).

:func:`index_files` takes one :class:`Record` per thing a reader may look for (a report, an
entity, an annotated passage, a claim, a page) and returns the files of a Pagefind bundle
(``pagefind/...``) as ``Output`` records, so they are staged, listed in the manifest and
swapped in with the rest of the build.

Two things are Dossier's own:

- Responses are read as soon as the binary writes them (the wrapper's reader waits 0.1 s
  before each one, which makes 10,000 records cost 1,000 s).
- Pagefind writes the values of a filter in hash-map order, which changes from run to run;
  :mod:`dossier.pagefind_canon` sorts them, so two builds give the same bytes.
"""
from __future__ import annotations

import asyncio
import base64
import json
import threading
from dataclasses import dataclass

from .model import Output
from .pagefind_canon import canonical_bundle

BUNDLE = "pagefind"  # the bundle's folder in the output
UNUSED = ("playground/", "pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")  # Dossier has its own UI


class SearchUnavailable(Exception):
    """The Pagefind binary is missing or failed; ``str()`` is one line for the user."""


@dataclass(frozen=True, slots=True)
class Record:
    url: str  # the result's link, base path included (and the passage's fragment for an annotation)
    title: str
    content: str
    type: str  # Report, Entity, Annotation, Claim, Page
    filters: tuple = ()  # ((filter name, value), ...)
    meta: tuple = ()  # ((key, value), ...) shown with the result
    language: str = "en"


def _service_class():
    try:
        from pagefind.service import PagefindService
    except ImportError as exc:  # pragma: no cover - a broken install
        raise SearchUnavailable(f"search needs the pagefind package (pip install 'pagefind[bin]'): {exc}") from None

    class Service(PagefindService):
        async def _wait_for_responses(self) -> None:
            """Resolve each response the moment its comma arrives (any size: the index comes in one)."""
            stdout, buf, seen = self._backend.stdout, bytearray(), 0
            while True:
                cut = buf.find(b",", seen)  # only the new bytes are searched: linear in the reply's size
                if cut < 0:
                    seen = len(buf)
                    chunk = await stdout.read(1 << 20)
                    if not chunk:
                        raise asyncio.IncompleteReadError(bytes(buf), None)
                    buf += chunk
                    continue
                raw = bytes(buf[:cut])
                del buf[:cut + 1]
                seen = 0
                self._resolve(json.loads(base64.b64decode(raw)) if raw.strip() else None)

        def _resolve(self, resp) -> None:
            future = self._responses.get((resp or {}).get("message_id"))
            if future is None or future.done():
                return
            payload = resp.get("payload") or {}
            if payload.get("type") == "Error":
                future.set_exception(SearchUnavailable(f"search index: {payload.get('message', payload)}"))
            else:
                future.set_result(payload)

    return Service


async def _index(records: list[Record]) -> dict[str, bytes]:
    service = await _service_class()().launch()
    try:
        index = await service.create_index({"keep_index_url": True})
        # Sent all at once and answered in order: the pages are numbered as the records come.
        await asyncio.gather(*(index.add_custom_record(
            url=r.url, content=r.content, language=r.language,
            meta={"title": r.title, "type": r.type, **dict(r.meta)},
            filters=_filters(r)) for r in records))
        # In memory, not written to a folder: the binary may answer before its files are all on disk.
        return {f["path"]: f["content"] for f in await index.get_files()}
    finally:
        await service.close()


def _filters(r: Record) -> dict:
    out: dict[str, list[str]] = {"Type": [r.type]}
    for name, value in r.filters:
        out.setdefault(name, []).append(value)
    return out


def _run(make):
    """Run a coroutine to the end; in a thread of its own when this thread runs an event loop already."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    failed: list = []
    done: list = []

    def target() -> None:
        try:
            done.append(asyncio.run(make()))
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)

    worker = threading.Thread(target=target, name="dossier-search")
    worker.start()
    worker.join()
    if failed:
        raise failed[0]
    return done[0]


def index_files(records: list[Record]) -> list[Output]:
    """The Pagefind bundle for ``records``: ``pagefind/`` files, deterministic, as outputs."""
    language = records[0].language.split("-")[0].lower() if records else "en"
    records = [Record(r.url, r.title, r.content, r.type, r.filters, r.meta, language) for r in records]
    try:
        files = _run(lambda: _index(records))
    except (OSError, asyncio.IncompleteReadError) as exc:
        raise SearchUnavailable(f"search index: the Pagefind binary failed ({exc})") from None
    files = {rel: data for rel, data in files.items() if not rel.startswith(UNUSED)}
    return [Output(f"{BUNDLE}/{rel}", data) for rel, data in sorted(canonical_bundle(files).items())]
