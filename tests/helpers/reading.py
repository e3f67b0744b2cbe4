"""Reading-layout helpers for browser tests: archives with long notes, page contexts, and
the geometry of passages and their margin notes as the browser lays them out."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from .browser import DEFAULT_TIMEOUT_MS

PLACED_WAIT_MS = 5_000  # dossier.js marks <html data-notes-placed> when it has placed the notes

_WORDS = ("the officers said the review would look again at how armed policing is held to account "
          "while the force kept its cover in place across the capital for the coming days").split()


def _sentence(n: int, seed: int) -> str:
    words = [_WORDS[(seed * 7 + i * 3) % len(_WORDS)] for i in range(n)]
    return " ".join(words).capitalize() + "."


def write_long_notes_archive(root: Path, paragraphs: int = 9) -> None:
    """An archive whose one article has notes as long as its paragraphs, several quoted passages
    close together in one paragraph, and a cluster of notes in the last paragraph."""
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "annotations").mkdir(parents=True)
    (root / "content" / "entities" / "outlets").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Long notes\nbase_url: https://example.org/\n", encoding="utf-8")
    (root / "content" / "entities" / "outlets" / "daily.md").write_text(
        "---\nname: Daily Example\ntype: outlet\n---\n", encoding="utf-8")
    paras, quotes = [], []
    for p in range(paragraphs):
        sentences = [f"Passage {p} {chr(97 + s)} opens here and " + _sentence(12, p * 5 + s)
                     for s in range(6 if p % 3 == 0 or p == paragraphs - 1 else 3)]
        paras.append(" ".join(sentences))
        picks = (0, 1) if p == 2 else (0, 2, 4, 5) if p == paragraphs - 1 else (0,) if p % 2 == 0 else ()
        quotes += [f"Passage {p} {chr(97 + s)} opens here" for s in picks]
    (root / "content" / "articles" / "long.md").write_text(
        "---\ntitle: A report with long notes\noutlet: daily\npublished: 2023-09-25\n---\n"
        + "\n\n".join(paras) + "\n", encoding="utf-8")
    notes = [f"> {q}\n\n" + " ".join(_sentence(14, i * 3 + k) for k in range(4 + i % 4)) + "\n"
             for i, q in enumerate(quotes)]
    (root / "content" / "annotations" / "long.md").write_text("\n".join(notes), encoding="utf-8")


@contextlib.contextmanager
def browser_page(browser, width: int, height: int = 900, *, js: bool = True, touch: bool = False,
                 dark: bool = False, media: str | None = None) -> Iterator:
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=js,
                                  has_touch=touch, color_scheme="dark" if dark else "light",
                                  reduced_motion="reduce")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        if media:
            page.emulate_media(media=media)
        yield page
    finally:
        context.close()


def wait_placed(page, mode: str) -> None:
    page.wait_for_function(f"document.documentElement.dataset.notesPlaced === '{mode}'", timeout=PLACED_WAIT_MS)


# Page coordinates of the text, each note (as shown: a shortened note's visible box) and the start of
# its passage, found through the passage's aria-details (or the note's reference without a passage).
GEOMETRY_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; };
  const body = document.querySelector('.body');
  const text = [...body.children].filter(el => !el.matches('.sidenote'));
  const notes = [...body.querySelectorAll(':scope > .sidenote')].map(n => {
    const passage = document.querySelector(`mark[aria-details~="${n.id}"]`);
    const anchor = passage || document.querySelector(`.note-ref a[href="#${n.id}"]`);
    const style = getComputedStyle(n);
    return {id: n.id, note: box(n), anchor: anchor ? box(anchor) : null, clamped: n.classList.contains('is-clamped'),
            line: parseFloat(style.lineHeight), full: n.scrollHeight, bodyVisible: n.querySelector('.note-body').offsetHeight > 0};
  });
  return {textRight: Math.max(...text.map(p => p.getBoundingClientRect().right)),
          textBottom: Math.max(...text.map(p => p.getBoundingClientRect().bottom)) + scrollY,
          paras: text.map(box), notes};
}"""


def overlaps(a: dict, b: dict, tolerance: float = 0.5) -> bool:
    return (a["top"] < b["bottom"] - tolerance and b["top"] < a["bottom"] - tolerance
            and a["left"] < b["right"] - tolerance and b["left"] < a["right"] - tolerance)
