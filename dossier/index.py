"""The cross-archive index: built once, after the article pass, from what the articles reported.

Mentions by entity, the articles of an entity, the annotations whose notes name an entity,
co-occurrence (entities named in the same articles), the annotations placed in the text
(and the claims they make), and "other coverage" (for each article, the others of its story
ranked by shared entities). Nothing here renders or reads files.
"""
from __future__ import annotations

import heapq
from array import array
from collections import Counter, defaultdict
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from itertools import chain, islice

from .model import Mention, named
from .site import Site, date_order

COVERAGE_LIMIT = 5
POSTING_LIMIT = 400  # entities in more articles than this say little about relatedness
RAREST = 8  # an article's rarest entities are the ones that say most about what it shares
CROWDED = 60  # an article naming more entities than this says nothing about which go together
TOGETHER_LIMIT = 8
_NO_RANKS = array("q")  # the postings of an entity no article of the story names


def other_coverage(site: Site, entity_sets: dict[str, frozenset]) -> dict[str, list[tuple[str, int]]]:
    """For each article, the others of its story ranked by shared entities (see ``Coverage``)."""
    coverage = Coverage(site, entity_sets)
    return {slug: coverage.get(slug) for slug in site.articles}


class Coverage:
    """Other coverage, worked out for an article when it is first asked for: a one-off build's render
    workers each ask for their own articles, so the ranking runs on every core (``other_coverage``
    asks for all at once). For each article, the others of its story ranked by shared entities (an
    inverted index, capped): most shared first, then the earlier, then by slug; filled up with the
    story's newest articles.

    Postings hold each article's rank in (date, slug) order, so a candidate's whole sort key is one
    integer, ``shared * n - rank``, and an article's best candidates are picked in C. A story's postings
    are found by entity in its own table, and each is an array of machine integers: counted from a list
    of int objects, every rank read was one more object, scattered over a heap as large as the archive
    (at 100,000 articles the same counts cost twice the time they cost at 10,000)."""

    def __init__(self, site: Site, entity_sets: dict[str, frozenset]) -> None:
        arts = site.articles
        self.site, self.entity_sets, self.n = site, entity_sets, len(arts)
        self.by_rank = date_order(arts)
        self.rank = {slug: r for r, slug in enumerate(self.by_rank)}
        self.postings: dict[str, dict[str, array]] = {}  # story -> entity -> ranks of its articles naming it
        for slug, art in arts.items():
            r = self.rank[slug]
            story = self.postings.get(art.story)
            if story is None:
                story = self.postings[art.story] = {}
            for ent in entity_sets.get(slug, ()):
                ranks = story.get(ent)
                if ranks is None:
                    ranks = story[ent] = array("q")
                ranks.append(r)
        self.done: dict[str, list[tuple[str, int]]] = {}

    def get(self, slug: str, default=()) -> list[tuple[str, int]]:
        hit = self.done.get(slug)
        if hit is None:
            art = self.site.articles.get(slug)
            if art is None:
                return default
            hit = self.done[slug] = self._rank(slug, art)
        return hit

    def _rank(self, slug: str, art) -> list[tuple[str, int]]:
        n, by_rank = self.n, self.by_rank
        scores: Counter = Counter()
        story = self.postings.get(art.story, {})
        lists = sorted((story.get(e, _NO_RANKS) for e in sorted(self.entity_sets.get(slug, ())) if e != art.outlet),
                       key=len)
        for posting in lists[:RAREST]:
            if len(posting) > POSTING_LIMIT:
                break
            scores.update(posting)
        scores.pop(self.rank[slug], None)
        # bands of n: more shared always ranks higher; the best few picked, not every candidate sorted
        keys = heapq.nlargest(COVERAGE_LIMIT, [shared * n - r for r, shared in scores.items()])
        ranked = []
        for key in keys:
            shared = -(-key // n)
            ranked.append((by_rank[shared * n - key], shared))
        if len(ranked) < COVERAGE_LIMIT:  # fill with the story's other articles, newest first
            have = {s for s, _ in ranked} | {slug}
            rest = (s for s in reversed(self.site.by_story.get(art.story, ())) if s not in have)
            ranked += [(s, 0) for s in islice(rest, COVERAGE_LIMIT - len(ranked))]  # stops when full
        return ranked


def most_named(counts: Counter) -> tuple:
    """The ``TOGETHER_LIMIT`` first of ``counts``' (entity, articles) by most articles, then by slug: what
    sorting them all gives, with only the ones at or above the limit's count sorted (the most named
    entity of a large archive is named beside thousands of others; its row takes eight)."""
    items = counts.items()
    if len(counts) > TOGETHER_LIMIT:
        least = heapq.nlargest(TOGETHER_LIMIT, counts.values())[-1]
        items = [kv for kv in items if kv[1] >= least]
    return tuple(sorted(items, key=lambda kv: (-kv[1], kv[0]))[:TOGETHER_LIMIT])


class Together:
    """Co-occurrence worked out for an entity when its page asks for it: a one-off build's render workers
    each count their own entities' (``Memo.together`` counts every article's in the build process, alone,
    before the entity pages' pool forks). The same rows: the others named in the same articles (an
    article naming more than ``CROWDED`` entities left out), most first, then by slug."""

    def __init__(self, entity_sets: dict[str, frozenset], articles_of: dict[str, list[str]]) -> None:
        self.named = entity_sets  # article slug -> the entities its body names
        self.articles_of = articles_of  # entity slug -> the articles naming it

    def get(self, slug: str, default=()) -> tuple:
        named = self.named
        sets = [ents for art in self.articles_of.get(slug, ()) if len(ents := named[art]) <= CROWDED]
        if not sets:
            return default
        counts = Counter(chain.from_iterable(sets))  # one count in C, not one ``update`` an article
        del counts[slug]
        return most_named(counts)

    def __getitem__(self, slug: str) -> tuple:
        got = self.get(slug, None)
        if got is None:
            raise KeyError(slug)
        return got


@dataclass(frozen=True)
class Index:
    mentions: dict  # entity slug -> [Mention], article by article in site order
    articles_of: dict  # entity slug -> [article slug] naming it, in site order
    annotations_of: dict  # entity slug -> [(Annotation, ArticleHead)] whose note names it
    together: dict | Together  # entity slug -> ((other slug, articles naming both), ...) most first, at most TOGETHER_LIMIT
    placed: tuple  # (Annotation, ArticleHead) found in the text, newest article first
    claims: dict  # claim -> [(Annotation, ArticleHead)] in ``placed`` order, claims sorted
    verbatim: dict  # (article slug, annotation id) -> the article's own words of the passage
    wrote: dict = field(default_factory=dict)  # person entity slug -> [article slug] whose byline names them
    headlines: dict = field(default_factory=dict)  # entity slug -> [Mention] of it in a report's headline
    # The entities whose mentions, co-occurrence or annotations may differ from the last good build's (those
    # the reports with a new result name, before or now), or None: not known (``Memo.continuous``).
    changed: frozenset | None = None


class Memo:
    """What the index keeps between the preview's builds, so that a build after an edit redoes only the
    edited articles' part of co-occurrence and of headlines and bylines (the result is the same as
    from nothing: a fresh Memo is the clean build)."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple] = {}  # article slug -> (its result, the entities it counts in ``together``)
        self.counts: dict[str, Counter] = {}  # entity -> other entity -> articles naming both
        self.members: Counter = Counter()  # entity -> articles counted for it
        self.ranked: dict[str, tuple] = {}  # entity -> its ``together`` row, while its counts are unchanged
        self.heads: dict[str, tuple] = {}  # article slug -> (ArticleHead, names key, people it wrote, headline mentions)
        self.results: dict = {}  # article slug -> its result, last build (in site order)
        self.mentions: dict[str, list] = {}  # entity -> its mentions, last build (``by_entity``)
        self.articles_of: dict[str, list] = {}
        self.continuous = False  # ``seen`` holds the results of the last build that reached the output folder
        self._parts: tuple | None = None  # what ``parts`` made last, with what it was made of

    def changed(self, results: dict) -> frozenset | None:
        """The entities named (in the text or in a note) by a report whose result is not the one ``seen``
        holds, before or now, a report gone included: every other entity's mentions, co-occurrence and
        annotations are the last build's. None when ``seen`` is not the last good build's."""
        if not self.continuous:
            return None
        gone = [hit[0] for slug, hit in self.seen.items() if slug not in results]
        new = [res for slug, res in results.items() if (hit := self.seen.get(slug)) is None or hit[0] is not res]
        old = [hit[0] for slug, res in results.items() if (hit := self.seen.get(slug)) is not None and hit[0] is not res]
        return frozenset(e for res in (*gone, *new, *old)
                         for e in (*(m.entity for m in res.mentions), *(ent for _id, ent in res.note_mentions)))

    def parts(self, site: Site, results: dict, names_key) -> tuple:
        """(verbatim passages, annotations by entity, placed annotations, claims, bylines, headlines): the
        last ones while the articles, their order and heads, the annotations and ``names_key`` are the
        last build's and every report with a new result has the last one's placed annotations, note
        mentions and passages (as after an edit of a report's prose); else made from nothing."""
        order = list(results)
        heads = list(map(site.heads.__getitem__, order))
        last = self._parts
        if last is not None and last[0] == order and last[1] == heads and last[3] is names_key \
                and order == list(site.articles) and last[2] == site.annotations:
            old = last[4]
            if all(res is old[slug] or (res.anchored == old[slug].anchored and res.note_mentions == old[slug].note_mentions
                                        and res.verbatim == old[slug].verbatim) for slug, res in results.items()):
                self._parts = (order, heads, site.annotations, names_key, dict(results), last[5])
                return last[5]
        made = ({(slug, ann_id): text for slug, res in results.items() for ann_id, text in res.verbatim.items()},
                _annotations_of(site, results), *_placed(site, results),
                *_bylines_and_headlines(site, results, self, names_key))
        self._parts = (order, heads, site.annotations, names_key, dict(results), made)
        return made

    def by_entity(self, results: dict) -> tuple[dict, dict]:
        """(entity -> its mentions, entity -> the articles naming it), article by article in site order.
        While the articles and their order are the last build's, only the entities that the articles
        with a new result named, before or now, get new lists; the dicts are new, the lists never changed."""
        changed = [slug for slug, res in results.items() if self.results.get(slug) is not res]
        if list(results) != list(self.results) or len(changed) > len(results) // 4:
            mentions, articles_of = _by_entity(results)
        else:
            mentions = self.mentions.copy() if isinstance(self.mentions, ByEntity) else dict(self.mentions)
            articles_of = dict(self.articles_of)
            where = {slug: i for i, slug in enumerate(results)} if changed else {}
            named = {m.entity for slug in changed for res in (self.results[slug], results[slug]) for m in res.mentions}
            for e in named:
                slugs = sorted(set(self.articles_of.get(e, ())).union(changed), key=where.__getitem__)
                found = [(slug, [m for m in results[slug].mentions if m.entity == e]) for slug in slugs]
                mentions[e] = [m for _slug, ms in found for m in ms]
                articles_of[e] = [slug for slug, ms in found if ms]
                if not articles_of[e]:
                    del mentions[e], articles_of[e]
        self.results, self.mentions, self.articles_of = dict(results), mentions, articles_of
        return mentions, articles_of

    def together(self, results: dict) -> dict:
        """Co-occurrence, counted per article: changed articles' counts taken out and put in again. An
        entity's counts that change are a new Counter (copied once a build), never the last one changed
        in place: the build cache tells what changed by identity (see ``dossier.cache``)."""
        touched: set[str] = set()
        for slug in [s for s in self.seen if s not in results]:
            self._count(self.seen.pop(slug)[1], -1, touched)
        for slug, res in results.items():
            old = self.seen.get(slug)
            if old is not None and old[0] is res:
                continue
            ents = tuple(sorted({m.entity for m in res.mentions}))
            ents = () if len(ents) > CROWDED else ents
            if old is None or old[1] != ents:
                self._count(old[1] if old else (), -1, touched)
                self._count(ents, 1, touched)
            self.seen[slug] = (res, ents)
        for e in touched:
            self.ranked.pop(e, None)
            if e in self.counts:
                self.ranked[e] = most_named(self.counts[e])
        return dict(self.ranked)

    def _count(self, ents: tuple, sign: int, touched: set) -> None:
        for e in ents:
            counts = self.counts.get(e)
            if e not in touched or counts is None:
                touched.add(e)
                counts = self.counts[e] = Counter(counts or ())
            counts.update({x: sign for x in ents if x != e})
            self.members[e] += sign
            if sign < 0:
                for x in [x for x, n in counts.items() if n <= 0]:
                    del counts[x]
                if self.members[e] <= 0:
                    del self.counts[e], self.members[e]


def _by_entity(results: dict) -> tuple[dict, dict]:
    """(entity -> its mentions, entity -> the articles naming it) from nothing; the mentions gathered
    only when asked for (``ByEntity``) while the reports' mentions are the build cache's, unread."""
    articles_of: dict[str, list[str]] = defaultdict(list)
    if any(type(res.mentions) is not list for res in results.values()):
        for slug, res in results.items():
            for e in named(res.mentions):
                articles_of[e].append(slug)
        return ByEntity(results, dict(articles_of)), dict(articles_of)
    mentions: dict[str, list] = defaultdict(list)
    for slug, res in results.items():
        for m in res.mentions:
            mentions[m.entity].append(m)
        for e in dict.fromkeys(m.entity for m in res.mentions):  # first-seen order, each once
            articles_of[e].append(slug)
    return dict(mentions), dict(articles_of)


class ByEntity(MutableMapping):
    """entity -> its mentions, article by article in site order, each entity's gathered when first asked
    for from the articles naming it: a build after an edit asks for the few entity pages it makes again."""

    def __init__(self, results: dict, articles_of: dict) -> None:
        self._results, self._of = results, articles_of
        self._keys, self._got = dict.fromkeys(articles_of), {}

    def __getitem__(self, entity: str) -> list:
        got = self._got.get(entity)
        if got is None:
            if entity not in self._keys:
                raise KeyError(entity)
            got = self._got[entity] = [m for slug in self._of[entity] for m in self._results[slug].mentions
                                       if m.entity == entity]
        return got

    def __setitem__(self, entity: str, mentions: list) -> None:
        self._keys[entity], self._got[entity] = None, mentions

    def __delitem__(self, entity: str) -> None:
        del self._keys[entity]
        self._got.pop(entity, None)

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def clear(self) -> None:
        self._keys.clear()
        self._got.clear()

    def copy(self) -> ByEntity:
        """The same lists: the caller sets anew those of the entities whose articles changed."""
        other = ByEntity(self._results, self._of)
        other._keys, other._got = dict(self._keys), dict(self._got)
        return other


def build_index(site: Site, results: dict, memo: Memo | None = None, names_key: object = None, *,
                lazy: bool = False, heads: dict | None = None) -> Index:
    """``results``: article slug -> the article pass's result (``mentions``, ``note_mentions``,
    ``anchored``), for the articles that rendered. ``memo``: the last build's (``names_key``: what
    the matcher and bylines read, the same object while unchanged: ``Session.md_key``). ``lazy`` (a
    one-off build, without ``memo``): co-occurrence is a :class:`Together`, counted where a page asks.
    ``heads``: without ``memo``, each article's bylines and headline mentions found already
    (``heads_of``, while the article pages were rendered)."""
    lazy = lazy and memo is None
    fresh = memo is None or names_key is None
    memo = memo if not fresh else Memo()
    if fresh and heads:
        memo.heads = heads
    # A new Markdown key: the matcher and bylines may read names another way (then the headlines are found again).
    changed = memo.changed(results) if all(hit[1] is names_key for hit in memo.heads.values()) else None
    mentions, articles_of = memo.by_entity(results)
    together = Together({slug: frozenset(m.entity for m in res.mentions) for slug, res in results.items()},
                        articles_of) if lazy else memo.together(results)
    verbatim, annotations_of, placed, claims, wrote, headlines = memo.parts(site, results, names_key)
    return Index(mentions, articles_of, annotations_of, together, placed, claims, verbatim, wrote, headlines, changed)


def _bylines_and_headlines(site: Site, results: dict, memo: Memo, names_key) -> tuple[dict, dict]:
    """(person -> the reports they wrote, entity -> its mentions in headlines), in site order."""
    wrote: dict[str, list[str]] = defaultdict(list)
    headlines: dict[str, list[Mention]] = defaultdict(list)
    kept = {}
    for slug in results:
        head = site.heads[slug]
        hit = memo.heads.get(slug)
        if hit is None or hit[0] is not head or hit[1] is not names_key:
            hit = _head_facts(site, slug, head, names_key)
        kept[slug] = hit
        for person in hit[2]:
            wrote[person].append(slug)
        for m in hit[3]:
            headlines[m.entity].append(m)
    memo.heads = kept
    return dict(wrote), dict(headlines)


def _head_facts(site: Site, slug: str, head, names_key) -> tuple:
    """(its head, ``names_key``, the people its byline names, the entities its headline names as Mentions)."""
    art = site.articles[slug]
    return (head, names_key, tuple(dict.fromkeys(s for _t, s in site.byline(art) if s)),
            tuple(Mention(ent, art.source, art.title, start, end) for start, end, ent in site.matcher.find(art.title)))


def heads_of(site: Site, names_key, into: dict) -> None:
    """Every article's ``_head_facts`` into ``into`` (``build_index``'s ``heads``): what only the site
    gives, found while the article pages' workers render, not alone after them."""
    for slug in site.articles:
        into[slug] = _head_facts(site, slug, site.heads[slug], names_key)


def _annotations_of(site: Site, results: dict) -> dict:
    found: dict[str, list] = defaultdict(list)
    ann_by_id = {(a.article, a.id): a for anns in site.annotations.values() for a in anns}
    listed = set()  # (entity, article, annotation id) already listed: a set, not a scan
    for slug, res in results.items():
        for ann_id, ent in res.note_mentions:
            ann = ann_by_id.get((slug, ann_id))
            if ann is not None and (ent, slug, ann_id) not in listed:
                listed.add((ent, slug, ann_id))
                found[ent].append((ann, site.heads[slug]))
    return dict(found)


def _placed(site: Site, results: dict) -> tuple[tuple, dict]:
    placed = []
    for slug in reversed([s for s in site.articles if s in site.annotations]):  # site order, newest first
        res = results.get(slug)
        ids = set(res.anchored) if res else set()
        placed += [(a, site.heads[slug]) for a in site.annotations[slug] if a.id in ids]
    claims: dict[str, list] = defaultdict(list)
    for a, art in placed:
        if a.claim:
            claims[a.claim].append((a, art))
    return tuple(placed), dict(sorted(claims.items()))
