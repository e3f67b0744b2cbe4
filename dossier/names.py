"""``names``: names in the reports that no entity covers yet, ready to become entities.

One pass over every article collects the words written in lowercase; a second pass
splits each paragraph into sentences, takes out what the build would already link
(the case-sensitive alias matcher of :mod:`dossier.site`), reports spellings of known
names that differ only in case (they never link), and collects runs of capitalised
words and acronyms.  Cost is linear in the size of the reports.
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig
from .errors import ErrorList
from .frontmatter import yaml_quote
from .linking import Matcher
from .load import content_files, load_file
from .model import Article, Entity
from .names_words import ACRONYMS, COMMON, EDGE, HONORIFICS, ORGANISATION_WORDS, PLACE_WORDS
from .site import assemble
from .urls import slugify

TYPE_DIRS = {"person": "people", "organisation": "organisations", "place": "places", "event": "events",
             "outlet": "outlets"}


@dataclass
class Found:
    name: str
    kind: str  # "new", "variant" (of a known name, in another case) or "part" (of a known name)
    entity: Entity | None = None  # the entity a variant or part belongs to
    known: str = ""  # the known name it varies from or is part of
    person: bool = False  # written with a title (Mr, Dr): a person
    reports: set = field(default_factory=set)
    count: int = 0
    example: tuple = ()  # (source, line, sentence)


# --- Markdown to sentences -------------------------------------------------------------------------

_MD = [(re.compile(r"\[\[[^\]|]*\|([^\]]*)\]\]"), r"\1"), (re.compile(r"\[\[[^\]]*\]\]"), ""),
       (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""), (re.compile(r"\[\^[^\]]*\]:?"), ""),
       (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"\\([!-/:-@\[-`{-~])"), r"\1"),
       (re.compile(r"[*`]+"), ""), (re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-+]\s+|\d{1,9}[.)]\s+)"), "")]
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_WORD = re.compile(r"[^\W\d_](?:\w|[’'&-](?=\w))*|\d+[A-Za-z]\w*")
_POSSESSIVE = re.compile(r"[’']s$")


def paragraphs(article: Article):
    """(file line, plain text) of every paragraph of an article's body; lines of a paragraph are joined."""
    start, lines = 0, []
    for i, raw in enumerate(article.body.split("\n") + [""]):
        text = raw
        for pattern, repl in _MD:
            text = pattern.sub(repl, text)
        if text.strip():
            start = start if lines else article.body_line + i
            lines.append(text.strip())
        elif lines:
            yield start, " ".join(lines)
            lines = []


def sentences(text: str):
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        yield text[pos:m.start()].strip()
        pos = m.end()
    if text[pos:].strip():
        yield text[pos:].strip()


# --- Runs of capitalised words -----------------------------------------------------------------------

def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and any(c.isalpha() for c in word)


def _initial(sentence: str, start: int) -> bool:
    """Whether a word at ``start`` begins a sentence or a quotation."""
    k = start - 1
    while k >= 0 and sentence[k].isspace():
        k -= 1
    return k < 0 or sentence[k] in "‘“\"'(:—–-"


def runs(sentence: str, covered: list[tuple[int, int]]):
    """Runs of capitalised words not inside ``covered`` spans: lists of (start, end, word, initial)."""
    blocked = [False] * (len(sentence) + 1)
    for s, e in covered:
        for k in range(s, e):
            blocked[k] = True
    run: list = []
    prev_end = -1
    for m in _WORD.finditer(sentence):
        word, start, end = m.group(0), m.start(), m.end()
        poss = _POSSESSIVE.search(word) is not None
        if poss:
            word, end = word[:-2], end - 2
        gap = sentence[prev_end:start] if run else ""
        joined = run and (gap == " " or (gap in ("’ ", "' ") and run[-1][2].endswith("s")))
        capital = (word[0].isupper() or (word[0].isdigit() and not word.islower())) and not blocked[start]
        connector = word in ("of", "for", "de", "du", "da", "del", "van", "von", "der", "den", "la", "le", "upon")
        if run and not (joined and (capital or connector)):
            yield run
            run = []
        if capital or (connector and run):
            run.append((start, end, word, _initial(sentence, start)))
        if poss and run:
            yield run
            run = []
        prev_end = m.end()
    if run:
        yield run


def candidate(run: list, lowercase: set, sentence: str) -> tuple[str, bool]:
    """The name a run of capitalised words stands for ('' when none), and whether a title (Mr, Dr) marks a person.

    A single word at the start of a sentence is returned as ``"?Word"``: a name only if it is seen elsewhere.
    """
    run = list(run)
    titled = False
    while run and run[0][3] and (run[0][2].lower() in COMMON or run[0][2].lower() in lowercase) and len(run) > 1:
        run = run[1:]  # "Black Londoners" at the start of a sentence
    while run and (run[0][2].lower() in EDGE or run[0][2].lower() in HONORIFICS) and not _is_acronym(run[0][2]):
        if run[0][2].lower() in HONORIFICS and len(run) > 1 and run[0][2].lower() not in ("mr", "mrs", "ms", "miss", "dr"):
            break  # "Sir Mark Rowley" keeps its title; "Mr Smith" is "Smith"
        titled = titled or (run[0][2].lower() in HONORIFICS and len(run) > 1)
        run = run[1:]
    while run and (run[-1][2].lower() in EDGE or run[-1][2][0].islower()) and not _is_acronym(run[-1][2]):
        run = run[:-1]
    if not run:
        return "", False
    word = run[0][2]
    if len(run) == 1:
        if _is_acronym(word):
            return ("" if word in ACRONYMS else word), False
        if len(word) < 2 or word.lower() in COMMON or word.lower() in lowercase:
            return "", False
        return ("?" + word if run[0][3] else word), titled
    return sentence[run[0][0]:run[-1][1]], titled  # words joined by single spaces, or "s’ " (Chiefs’ Council)


# --- The archive ---------------------------------------------------------------------------------------

def load(root: Path) -> tuple[list[Article], dict[str, Entity], dict[str, str]]:
    """Articles, entities and the alias table (name -> entity slug); files with errors are skipped."""
    records = []
    for kind, path in content_files(root):
        if kind in ("articles", "entities"):
            records.extend(load_file(root, kind, path).records)
    site = assemble(SiteConfig(), records, ErrorList(root))
    return list(site.articles.values()), site.entities, site.alias_table


def _lower_same_length(text: str) -> str:
    low = text.lower()
    return low if len(low) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class Finder:
    def __init__(self, entities: dict[str, Entity], alias_table: dict[str, str]) -> None:
        self.entities = entities
        self.alias_table = alias_table
        self.exact = Matcher(alias_table)
        self.known_lower: dict[str, str] = {}
        for name in alias_table:
            self.known_lower.setdefault(_lower_same_length(name), name)
        self.folded = Matcher({low: alias_table[name] for low, name in self.known_lower.items()})
        self.parts: dict[str, str] = {}  # a run of words inside a known name -> that name
        for name, slug in alias_table.items():
            self._add_parts(name, entities[slug].type)
        self.found: dict[str, Found] = {}
        self.initial: list[tuple[str, tuple]] = []  # single words that begin a sentence

    def _add_parts(self, name: str, kind: str) -> None:
        """A person's surname ("Rowley", "Mark Rowley"); two or more words of other names, not events."""
        words = name.split()
        if kind == "person":
            windows = [(i, len(words)) for i in range(1, len(words))]
        elif kind != "event":
            windows = [(i, j) for i in range(len(words)) for j in range(i + 2, min(len(words), i + 4) + 1)]
        else:
            windows = []
        for i, j in windows:
            if (i, j) != (0, len(words)):
                self.parts.setdefault(" ".join(words[i:j]), name)

    def _derived(self, name: str) -> bool:
        """A word formed from a known one-word name: "Londoners" from "London"."""
        return " " not in name and any(name[:k] in self.alias_table and name[k:].isalpha() and name[k:].islower()
                                       for k in range(4, len(name)))

    def _title(self, run: list, text: str, people: set) -> bool:
        """A run just before a person's known name is their title: "Home Secretary Suella Braverman"."""
        return text[run[-1][1]:run[-1][1] + 1] == " " and run[-1][1] + 1 in people

    def _add(self, name: str, kind: str, where: tuple, known: str = "", person: bool = False) -> None:
        key = name.casefold()
        hit = self.found.get(key)
        if hit is None:
            entity = self.entities.get(self.alias_table.get(known, ""))
            hit = self.found[key] = Found(name, kind, entity, known, example=where)
        hit.person = hit.person or person
        hit.reports.add(where[0])
        hit.count += 1

    def finish(self) -> list[Found]:
        """Count sentence-initial words that are names elsewhere; rank by reports, then mentions."""
        for name, where in self.initial:
            if name.casefold() in self.found:
                self._add(name, "new", where)
        return sorted(self.found.values(), key=lambda f: (-len(f.reports), -f.count, f.name.casefold(), f.name))

    def sentence(self, text: str, source: str, line: int, lowercase: set) -> None:
        exact = self.exact.find(text)
        covered = [(s, e) for s, e, _slug in exact]
        low = _lower_same_length(text)
        taken = [False] * (len(text) + 1)
        for s, e in covered:
            taken[s:e] = [True] * (e - s)
        for s, e, _slug in self.folded.find(low):
            spelled = text[s:e]
            if spelled in self.alias_table or any(taken[s:e]):
                continue
            covered.append((s, e))
            if spelled.islower() and all(w in COMMON for w in spelled.split()):
                continue  # "met", "home office": ordinary words
            self._add(spelled, "variant", (source, line, text), self.known_lower[low[s:e]])
        people = {s for s, _e, slug in exact if self.entities[slug].type == "person"}
        for run in runs(text, covered):
            name, person = candidate(run, lowercase, text)
            if name.startswith("?"):
                self.initial.append((name[1:], (source, line, text)))
            elif name and not self._derived(name) and not self._title(run, text, people):
                part_of = self.parts.get(name, "")
                self._add(name, "part" if part_of else "new", (source, line, text), part_of, person)


def find(articles: list[Article], entities: dict[str, Entity], alias_table: dict[str, str]) -> list[Found]:
    """Every name no entity covers, most widely reported first."""
    texts = [(a.source, line, text) for a in articles for line, text in paragraphs(a)]
    lowercase = {w for _s, _l, text in texts for w in re.findall(r"\w+", text) if w.islower()}
    finder = Finder(entities, alias_table)
    for source, line, text in texts:
        for sent in sentences(text):
            finder.sentence(sent, source, line, lowercase)
    return finder.finish()


# --- Suggestions and the command ------------------------------------------------------------------------

def guess_type(name: str, person: bool = False) -> str:
    words = [w.lower() for w in name.split()]
    if person or words[0] in HONORIFICS:
        return "person"
    if _is_acronym(name) or any(w in ORGANISATION_WORDS for w in words):
        return "organisation"
    if any(w in PLACE_WORDS for w in words):
        return "place"
    return "person" if 2 <= len(words) <= 3 else "organisation"


def entity_file(found: Found) -> tuple[str, str]:
    """(path relative to the archive, text) of the entity file a new name suggests."""
    kind = guess_type(found.name, found.person)
    source, line, _text = found.example
    text = (f"---\nname: {yaml_quote(found.name)}\ntype: {kind}  # a guess: person, organisation, place, event or outlet\n"
            f"# description: one sentence, from the reports (first seen in {source}:{line})\n---\n")
    return f"content/entities/{TYPE_DIRS[kind]}/{slugify(found.name)}.md", text


def _alias_line(found: Found) -> str:
    aliases = [*found.entity.aliases, found.name] if found.entity else [found.name]
    return "aliases: [" + ", ".join(yaml_quote(a) for a in aliases) + "]"


def describe(found: Found) -> list[str]:
    n = len(found.reports)
    head = f"{found.name}: {n} report{'s' if n != 1 else ''}, {found.count} mention{'s' if found.count != 1 else ''}"
    source, line, sentence = found.example
    where = found.entity.source if found.entity else ""
    if found.kind == "variant":
        lines = [f"{head}, a case variant of '{found.known}' ({where}), which links only as written"]
    elif found.kind == "part":
        lines = [f"{head}, part of '{found.known}' ({where}); if it means the same, add it to its aliases"]
    else:
        lines = [f"{head}, no entity"]
    lines.append(f"  {source}:{line}: {sentence}")
    if found.kind == "new":
        path, text = entity_file(found)
        lines.append(f"  {path}:")
        lines.extend("    " + t for t in text.rstrip("\n").split("\n"))
    else:
        lines.append(f"  in {where}: {_alias_line(found)}")
    return lines


def write_files(root: Path, found: list[Found]) -> list[str]:
    """Create the new entity files; an existing file is left alone."""
    out = []
    for f in found:
        if f.kind != "new":
            continue
        rel, text = entity_file(f)
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            out.append(f"wrote {rel}")
        except FileExistsError:
            out.append(f"{rel} already exists; not written")
        except OSError as exc:
            out.append(f"{rel}: cannot write: {exc.strerror}")
    return out


def run(root: Path, write: bool = False) -> int:
    articles, entities, alias_table = load(root)
    found = find(articles, entities, alias_table)
    for f in found:
        print("\n".join(describe(f)))
    if not found:
        print(f"no names without an entity in {len(articles)} reports")
        return 0
    new = sum(f.kind == "new" for f in found)
    print(f"{len(found)} names without an entity ({new} new, {len(found) - new} spellings of known names)",
          file=sys.stderr)
    if write:
        for line in write_files(root, found):
            print(line)
    elif new:
        print("run with --write to create the new entity files for review", file=sys.stderr)
    return 0
