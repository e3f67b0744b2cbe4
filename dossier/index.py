"""The cross-archive index: built once, after the article pass, from what the articles reported.

Mentions by entity, the articles of an entity, the annotations whose notes name an entity,
co-occurrence (entities named in the same articles), the annotations placed in the text
(and the claims they make), and "other coverage" (for each article, the others of its story
ranked by shared entities). Nothing here renders or reads files.
"""
from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice

from .model import Mention
from .site import Site

COVERAGE_LIMIT = 5
POSTING_LIMIT = 400  # entities in more articles than this say little about relatedness
RAREST = 8  # an article's rarest entities are the ones that say most about what it shares
CROWDED = 60  # an article naming more entities than this says nothing about which go together
TOGETHER_LIMIT = 8


def other_coverage(site: Site, entity_sets: dict[str, frozenset]) -> dict[str, list[tuple[str, int]]]:
    """For each article, the others of its story ranked by shared entities (an inverted index, capped):
    most shared first, then the earlier, then by slug; filled up with the story's newest articles."""
    postings: dict[tuple[str, str], list[str]] = defaultdict(list)
    for slug, art in site.articles.items():
        for ent in sorted(entity_sets.get(slug, ())):
            postings[(art.story, ent)].append(slug)
    out = {}
    published = {slug: art.published for slug, art in site.articles.items()}
    for slug, art in site.articles.items():
        scores: Counter = Counter()
        lists = sorted((postings[(art.story, e)] for e in sorted(entity_sets.get(slug, ())) if e != art.outlet), key=len)
        for posting in lists[:RAREST]:
            if len(posting) > POSTING_LIMIT:
                break
            scores.update(posting)
        scores.pop(slug, None)
        # most shared, then the earlier, then by slug (keys made in one comprehension: no call per candidate)
        best = heapq.nsmallest(COVERAGE_LIMIT, [(-n, published[s], s) for s, n in scores.items()])
        ranked = [(s, -neg) for neg, _date, s in best]
        if len(ranked) < COVERAGE_LIMIT:  # fill with the story's other articles, newest first
            have = {s for s, _ in ranked} | {slug}
            rest = (s for s in reversed(site.by_story.get(art.story, ())) if s not in have)
            ranked += [(s, 0) for s in islice(rest, COVERAGE_LIMIT - len(ranked))]  # stops when full
        out[slug] = ranked[:COVERAGE_LIMIT]
    return out


@dataclass(frozen=True)
class Index:
    mentions: dict  # entity slug -> [Mention], article by article in site order
    articles_of: dict  # entity slug -> [article slug] naming it, in site order
    annotations_of: dict  # entity slug -> [(Annotation, ArticleHead)] whose note names it
    together: dict  # entity slug -> ((other slug, articles naming both), ...) most first, at most TOGETHER_LIMIT
    placed: tuple  # (Annotation, ArticleHead) found in the text, newest article first
    claims: dict  # claim -> [(Annotation, ArticleHead)] in ``placed`` order, claims sorted
    verbatim: dict  # (article slug, annotation id) -> the article's own words of the passage
    wrote: dict = field(default_factory=dict)  # person entity slug -> [article slug] whose byline names them
    headlines: dict = field(default_factory=dict)  # entity slug -> [Mention] of it in a report's headline


def build_index(site: Site, results: dict) -> Index:
    """``results``: article slug -> the article pass's result (``mentions``, ``note_mentions``,
    ``anchored``), for the articles that rendered."""
    mentions: dict[str, list] = defaultdict(list)
    articles_of: dict[str, list[str]] = defaultdict(list)
    for slug, res in results.items():
        for m in res.mentions:
            mentions[m.entity].append(m)
        for e in dict.fromkeys(m.entity for m in res.mentions):  # first-seen order, each once
            articles_of[e].append(slug)
    verbatim = {(slug, ann_id): text for slug, res in results.items() for ann_id, text in res.verbatim.items()}
    return Index(dict(mentions), dict(articles_of), _annotations_of(site, results), _together(results),
                 *_placed(site, results), verbatim, *_bylines_and_headlines(site, results))


def _bylines_and_headlines(site: Site, results: dict) -> tuple[dict, dict]:
    """(person -> the reports they wrote, entity -> its mentions in headlines), in site order."""
    wrote: dict[str, list[str]] = defaultdict(list)
    headlines: dict[str, list[Mention]] = defaultdict(list)
    for slug in results:
        art = site.articles[slug]
        for person in dict.fromkeys(s for _t, s in site.byline(art) if s):
            wrote[person].append(slug)
        for start, end, ent in site.matcher.find(art.title):
            headlines[ent].append(Mention(ent, art.source, art.title, start, end))
    return dict(wrote), dict(headlines)


def _annotations_of(site: Site, results: dict) -> dict:
    found: dict[str, list] = defaultdict(list)
    ann_by_id = {(a.article, a.id): a for anns in site.annotations.values() for a in anns}
    listed = set()  # (entity, article, annotation id) already listed: a set, not a scan
    for slug, res in results.items():
        for ann_id, ent in res.note_mentions:
            ann = ann_by_id.get((slug, ann_id))
            if ann is not None and (ent, slug, ann_id) not in listed:
                listed.add((ent, slug, ann_id))
                found[ent].append((ann, site.head(slug)))
    return dict(found)


def _together(results: dict) -> dict:
    """Co-occurrence, counted per article."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for res in results.values():
        ents = sorted({m.entity for m in res.mentions})
        if len(ents) > CROWDED:
            continue
        for e in ents:
            counts[e].update(x for x in ents if x != e)
    return {e: tuple(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:TOGETHER_LIMIT]) for e, c in counts.items()}


def _placed(site: Site, results: dict) -> tuple[tuple, dict]:
    placed = []
    for slug in reversed(list(site.articles)):
        res = results.get(slug)
        ids = set(res.anchored) if res else set()
        placed += [(a, site.head(slug)) for a in site.annotations.get(slug, ()) if a.id in ids]
    claims: dict[str, list] = defaultdict(list)
    for a, art in placed:
        if a.claim:
            claims[a.claim].append((a, art))
    return tuple(placed), dict(sorted(claims.items()))
