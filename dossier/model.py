"""The records that flow between stages.  Plain frozen data, no I/O.

Every record keeps ``source`` (path relative to the archive root) and the line
of each front-matter key in ``lines`` so any later stage can raise a located
error.  Relations are slugs, resolved through :class:`dossier.site.Site`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, field, fields
from operator import attrgetter



def reducer(cls: type, names: tuple):
    """``obj -> (cls, (its fields named ``names``, in __init__ order))``: a record pickled as its class
    called with its fields, five times faster to write and twice as fast to read as a frozen slotted
    dataclass's own way (its ``__setstate__`` sets field by field in Python)."""
    get = attrgetter(*names)
    if len(names) == 1:  # one name: attrgetter gives the value, not a tuple
        return lambda obj: (cls, (get(obj),))
    return lambda obj: (cls, get(obj))


def _quick_pickle(cls):
    """Records cross the pool's pipes by the hundred thousand (an article's mentions): see ``reducer``;
    and are made by the hundred thousand (an article's mentions, again when unpickled): see ``quick_init``."""
    cls.__reduce__ = reducer(cls, tuple(cls.__slots__))  # a slotted dataclass: its fields, in __init__ order
    quick_init(cls)
    return cls


def quick_init(cls) -> None:
    """Give a frozen slotted dataclass an ``__init__`` with its own's parameters and defaults that sets each
    slot through the slot's descriptor: what the dataclass's does through ``object.__setattr__`` (a frozen
    class's only way past its own ``__setattr__``), a third of the time (a ``Mention``: about 0.9 -> 0.3 µs).
    A class with a field its ``__init__`` does not take or takes by keyword only, a ``__post_init__``, or
    a field whose name the made function would shadow, keeps the dataclass's own."""
    found = fields(cls)
    names = tuple(f.name for f in found)
    if (getattr(cls, "__slots__", None) != names or hasattr(cls, "__post_init__")
            or any(not f.init or f.kw_only or f.name == "self" or f.name.startswith("_") for f in found)):
        return
    scope: dict = {"_UNSET": object()}
    params, sets = [], []
    for i, f in enumerate(found):
        scope[f"_set{i}"] = getattr(cls, f.name).__set__
        value = f.name
        if f.default is not MISSING:
            scope[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        elif f.default_factory is not MISSING:  # made afresh for each record, as the dataclass's own does
            scope[f"_factory{i}"] = f.default_factory
            params.append(f"{f.name}=_UNSET")
            value = f"_factory{i}() if {f.name} is _UNSET else {f.name}"
        else:
            params.append(f.name)
        sets.append(f"    _set{i}(self, {value})\n")
    exec(compile(f"def __init__(self, {', '.join(params)}):\n{''.join(sets)}", f"<quick_init {cls.__qualname__}>", "exec"),
         scope)
    init = scope["__init__"]
    init.__qualname__, init.__module__ = f"{cls.__qualname__}.__init__", cls.__module__
    cls.__init__ = init


ENTITY_TYPES = ("person", "organisation", "place", "event", "outlet")
ANNOTATION_KINDS = ("note", "context", "correction", "discrepancy")


@_quick_pickle
@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    title: str
    outlet: str
    published: dt.date
    body: str
    body_line: int  # 1-based line of the body's first line in the source file
    source: str
    date_note: str = ""
    url: str = ""
    byline: str = ""
    story: str = ""
    tags: tuple[str, ...] = ()
    lines: dict = field(default_factory=dict, compare=False, hash=False)


@_quick_pickle
@dataclass(frozen=True, slots=True)
class ArticleHead:
    """What a page other than the article's own shows of an article (a listing's line, an entity
    page's report, other coverage): its front matter, not its body. A page that lists a report is
    then made again when its title, date, outlet... change, not when only its text does."""

    slug: str
    title: str
    outlet: str
    published: dt.date
    source: str
    date_note: str = ""
    url: str = ""
    byline: str = ""
    story: str = ""
    tags: tuple[str, ...] = ()

    def __hash__(self) -> int:
        """Its slug's hash: heads that are equal have equal slugs, and the string keeps its hash (the
        dataclass's own hashed every field each time, and the theme's ``memo`` looks a report's head up
        tens of thousands of times a build: every report an entity page lists). ``Entity`` too."""
        return hash(self.slug)


def head_of(art: Article) -> ArticleHead:
    return ArticleHead(art.slug, art.title, art.outlet, art.published, art.source, art.date_note, art.url,
                       art.byline, art.story, art.tags)


@_quick_pickle
@dataclass(frozen=True, slots=True)
class Entity:
    slug: str
    name: str
    type: str
    source: str
    aliases: tuple[str, ...] = ()
    owns: tuple[str, ...] = ()  # aliases this entity keeps when another claims them too
    description: str = ""
    same_as: tuple[str, ...] = ()
    date: dt.date | None = None
    notes: str = ""
    notes_line: int = 1
    lines: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def __hash__(self) -> int:
        return hash(self.slug)  # as ``ArticleHead``'s (an entity's chip is looked up on every page naming it)


@_quick_pickle
@dataclass(frozen=True, slots=True)
class Page:
    slug: str
    title: str
    body: str
    body_line: int
    source: str
    order: int | None = None  # pages with an order appear in the navigation
    lines: dict = field(default_factory=dict, compare=False, hash=False)


# Every id Dossier makes from content carries a prefix with a hyphen: an annotation's passage
# "ann-<id>", its note "note-ann-<id>" (toggle "nt-…", reference "ref-…"), a footnote "fn-<label>".
# So no content can take the id of a template's element (main, article-title) and none is a
# name a script could reach as a window or document property (location, __proto__).
ANCHOR_PREFIX = "ann-"


@_quick_pickle
@dataclass(frozen=True, slots=True)
class Annotation:
    article: str  # slug of the annotated article
    quote: str
    note: str  # Markdown source of the note
    note_line: int
    line: int  # line of the quote in the annotation file
    source: str
    id: str  # stable permalink: given, or made from the quote (markdown/annotations.py: permalinks)
    kind: str = "note"
    claim: str = ""
    value: str = ""
    which: int = 0  # 1-based occurrence when the quote appears more than once
    auto: bool = False  # found by the shared-passage detector, not written by an editor

    @property
    def anchor(self) -> str:
        """The passage's element id in the page, the permalink's fragment: ``id`` behind a prefix
        (``ANCHOR_PREFIX``) no template id and no DOM property name starts with."""
        return ANCHOR_PREFIX + self.id


@_quick_pickle
@dataclass(frozen=True, slots=True)
class Claim:
    """An editor's words about one claim key (``content/claims/<key>.md``): all optional."""

    key: str
    source: str
    title: str = ""
    question: str = ""
    summary: str = ""  # Markdown
    summary_line: int = 1
    lines: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def heading(self) -> str:
        return self.title or self.key.replace("-", " ").capitalize()


@_quick_pickle
@dataclass(frozen=True, slots=True)
class Mention:
    entity: str
    source: str  # the source file the mention stands in (an article or an annotation file)
    sentence: str  # plain text of the sentence the mention stands in
    start: int  # the matched words are sentence[start:end]
    end: int
    block: int = 0  # the top-level block of the text it stands in, from 1 (its id in an article: ``par-<block>``)
    number: int = 0  # in an article's body, the mention's number in text order, from 1 (its id: ``m-<number>``)


class Unreadable(Exception):
    """What the build cache holds to be read on demand (``cache_pickle.Mentions``) cannot be read back
    (a part forged with a right checksum): the build is made again without the cache (``Builder.build``)."""


def named(mentions) -> tuple:
    """The entities ``mentions`` name, in first-seen order (what the build cache keeps of a report's
    mentions unread: ``cache_pickle.Mentions``)."""
    entities = getattr(mentions, "entities", None)
    return entities if entities is not None else tuple(dict.fromkeys(m.entity for m in mentions))


@_quick_pickle
@dataclass(frozen=True, slots=True)
class Output:
    path: str  # relative POSIX path inside the output folder
    data: bytes
    sources: frozenset[str] = frozenset()
