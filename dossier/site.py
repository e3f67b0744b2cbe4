"""Assemble records into one ``Site`` index, known in full before rendering.

Relations are slugs; this module builds the maps (slug -> record, alias ->
entity, outlet/tag/story groupings) and checks what needs the whole archive:
duplicate slugs, unknown outlets, ambiguous aliases, annotations of unknown articles.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from .bylines import byline_parts, people_table
from .config import SiteConfig
from .errors import ErrorList
from .linking import Matcher
from .model import Annotation, Article, ArticleHead, Claim, Entity, Page, head_of
from .suggest import Budget, brief
from .urls import slugify


class Heads(dict):
    """Article slug -> what pages other than its own show of it (``model.ArticleHead``), made on first use."""

    def __init__(self, articles: dict[str, Article]) -> None:
        super().__init__()
        self.articles = articles

    def __missing__(self, slug: str) -> ArticleHead:
        head = self[slug] = head_of(self.articles[slug])
        return head


@dataclass
class Site:
    config: SiteConfig
    articles: dict[str, Article]  # slug -> article, newest first then slug
    entities: dict[str, Entity]
    pages: dict[str, Page]
    annotations: dict[str, tuple[Annotation, ...]]  # article slug -> annotations in file order
    alias_table: dict[str, str]  # name or alias -> entity slug
    by_outlet: dict[str, tuple[str, ...]]
    by_tag: dict[str, tuple[str, ...]]
    by_story: dict[str, tuple[str, ...]]
    matcher: Matcher = field(repr=False, default=None)
    failed: frozenset = frozenset()  # slugs of sources that failed to load: no knock-on errors about them
    claims: dict = field(default_factory=dict)  # claim key -> Claim (content/claims/<key>.md), by key
    _budget: Budget = field(repr=False, default_factory=Budget)
    _targets: dict | None = field(repr=False, default=None)
    _ids: dict | None = field(repr=False, default=None)  # article slug -> its annotations' ids (made on first use)
    _claim_keys: frozenset | None = field(repr=False, default=None)
    _people: dict | None = field(repr=False, default=None)  # NFC name -> person entity (bylines)
    heads: dict | None = field(repr=False, default=None)  # article slug -> ArticleHead (``Heads``)

    def __post_init__(self) -> None:
        if self.heads is None:
            self.heads = Heads(self.articles)

    def suggest(self, slug: str) -> str:
        """`` (did you mean 'x'?)`` for an unknown wikilink target, by slug or an entity's name or alias
        (bounded: see ``Budget``)."""
        if self._targets is None:  # made once, on the first unknown target
            self._targets = {**self.alias_table, **{s: s for d in (self.articles, self.entities, self.pages) for s in d}}
        return self._budget(slug, self._targets)

    def hint(self, word: str, candidates) -> str:
        """`` (did you mean 'x'?)`` among ``candidates``, within the same bound as ``suggest``."""
        return self._budget(word, candidates)

    def target(self, slug: str):
        """What a wikilink ``[[slug]]`` points to: ('article'|'entity'|'page', record) or None."""
        if slug in self.articles:
            return "article", self.articles[slug]
        if slug in self.entities:
            return "entity", self.entities[slug]
        if slug in self.pages:
            return "page", self.pages[slug]
        return None

    def with_annotations(self, more: dict[str, tuple[Annotation, ...]]) -> "Site":
        """A new Site with ``more`` annotations (article slug -> automatic ones) after each
        article's own: the last step of assembly; this Site stays as it is."""
        merged = dict(self.annotations)
        for slug, anns in sorted(more.items()):
            merged[slug] = merged.get(slug, ()) + anns
        return replace(self, annotations=merged, _ids=None, _claim_keys=None)

    def annotation_ids(self, slug: str) -> dict[str, None]:
        """The permalink ids of an article's annotations (automatic ones too), in file order."""
        if self._ids is None:
            self._ids = {s: dict.fromkeys(a.id for a in anns) for s, anns in self.annotations.items()}
        return self._ids.get(slug, {})

    @property
    def claim_keys(self) -> frozenset:
        """Every claim some annotation makes: the claims that have a page."""
        if self._claim_keys is None:
            self._claim_keys = frozenset(a.claim for anns in self.annotations.values() for a in anns if a.claim)
        return self._claim_keys

    def byline(self, article: Article) -> tuple[tuple[str, str], ...]:
        """The article's byline as (text, person entity slug or '') pieces (``bylines.byline_parts``)."""
        if not article.byline:
            return ()
        if self._people is None:
            self._people = people_table(self.alias_table, self.entities)
        return byline_parts(article.byline, self._people)

    def claim_heading(self, key: str) -> str:
        claim = self.claims.get(key)
        return claim.heading if claim else key.replace("-", " ").capitalize()

    def chronological(self) -> list[Article]:
        arts = self.articles
        return [arts[slug] for slug in date_order(arts)]


def date_order(articles: dict) -> list[str]:
    """The slugs of ``articles`` (slug -> Article) by (published, slug): what sorting the records by
    that pair gives, in two stable sorts, by slug and then by the day's number (``toordinal``), so that
    the comparisons read small ints made here, side by side, not (date, slug) pairs reaching into records
    spread over a heap as large as the archive (half the time of the one sort at 10,000 and 30,000
    articles). Any other ``published`` (a ``datetime``, whose number would drop the time) is compared
    as it is."""
    slugs = sorted(articles)
    keys = [articles[slug].published for slug in slugs]
    if all(type(k) is dt.date for k in keys):
        keys = [k.toordinal() for k in keys]
    return [slugs[i] for i in sorted(range(len(slugs)), key=keys.__getitem__)]


def outlet_names(entities: dict[str, Entity]) -> dict[str, str]:
    """Every way to name an outlet (slug, name, alias) -> its slug, for "did you mean"."""
    names: dict[str, str] = {}
    for ent in entities.values():
        if ent.type == "outlet":
            for name in (ent.slug, *ent.names, *(slugify(n) for n in ent.names)):
                names.setdefault(name, ent.slug)
    return names


def _check_outlets(articles: dict, entities: dict, failed: frozenset, errors: ErrorList) -> None:
    names = None
    budget = Budget()
    for art in articles.values():
        outlet = entities.get(art.outlet)
        if outlet is None:
            if art.outlet in failed:
                continue  # its own file's error says it all
            names = outlet_names(entities) if names is None else names
            hint = budget(art.outlet, names)
            errors.add(art.source, art.lines.get("outlet", 1), f"unknown outlet {brief(art.outlet)}" + (
                hint or f": add content/entities/outlets/{brief(art.outlet)[1:-1]}.md with type: outlet"))
        elif outlet.type != "outlet":
            errors.add(art.source, art.lines.get("outlet", 1),
                       f"'{art.outlet}' is a {outlet.type}, not an outlet ({outlet.source})")


def _check_claims(claims: dict, annotations: dict, errors: ErrorList) -> None:
    """A claim file must describe a claim some annotation makes (``claim="key"``)."""
    if not claims:
        return
    made = {a.claim for anns in annotations.values() for a in anns if a.claim}
    budget = Budget()
    for key, claim in claims.items():
        if key not in made:
            errors.add(claim.source, 1, f"no annotation makes the claim {brief(key)} (claim=\"{key}\")"
                                        + budget(key, sorted(made)))


def assemble(config: SiteConfig, records: list, errors: ErrorList, failed: frozenset = frozenset()) -> Site:
    articles: dict[str, Article] = {}
    entities: dict[str, Entity] = {}
    pages: dict[str, Page] = {}
    owners: dict[str, str] = {}  # slug -> source, across kinds
    annotations: dict[str, list[Annotation]] = defaultdict(list)
    claim_files: dict[str, Claim] = {}
    for rec in records:
        if isinstance(rec, Annotation):
            annotations[rec.article].append(rec)
            continue
        if isinstance(rec, Claim):
            claim_files[rec.key] = rec
            continue
        if rec.slug in owners:
            errors.add(rec.source, rec.lines.get("slug", 1),
                       f"duplicate slug {brief(rec.slug)}: {owners[rec.slug]} has it too (slugs are unique across articles, entities and pages)")
            continue
        owners[rec.slug] = rec.source
        {Article: articles, Entity: entities, Page: pages}[type(rec)][rec.slug] = rec

    _check_outlets(articles, entities, failed, errors)

    # Alias table: every name and alias must point at one entity, unless one side 'owns' it.
    claims: dict[str, list[Entity]] = defaultdict(list)
    for ent in sorted(entities.values(), key=lambda e: e.source):
        for name in ent.names:
            claims[name].append(ent)
    alias_table: dict[str, str] = {}
    for name, ents in claims.items():
        if len(ents) == 1:
            alias_table[name] = ents[0].slug
            continue
        owning = [e for e in ents if name in e.owns]
        if len(owning) == 1:
            alias_table[name] = owning[0].slug
            continue
        first, *rest = ents
        for other in rest:
            key = "aliases" if name in other.aliases else "name"
            errors.add(other.source, other.lines.get(key, 1),
                       f"{brief(name)} names two entities: {first.source} and {other.source}; "
                       f"remove it from one, or add it to 'owns' in the one it should link to")

    budget = Budget()
    for slug, anns in sorted(annotations.items()):
        if slug not in articles and slug not in failed:
            errors.add(anns[0].source, 1, f"annotations for unknown article {brief(slug)} (no content/articles/{brief(slug)[1:-1]}.md)"
                                          + budget(slug, [*articles, *failed]))

    _check_claims(claim_files, annotations, errors)
    ordered = {slug: articles[slug] for slug in date_order(articles)}
    by_outlet: dict[str, list[str]] = defaultdict(list)
    by_tag: dict[str, list[str]] = defaultdict(list)
    by_story: dict[str, list[str]] = defaultdict(list)
    for art in ordered.values():
        by_outlet[art.outlet].append(art.slug)
        by_story[art.story].append(art.slug)
        for tag in art.tags:
            by_tag[tag].append(art.slug)
    return Site(config=config, articles=ordered, entities=dict(sorted(entities.items())),
                pages=dict(sorted(pages.items(), key=lambda kv: (kv[1].order is None, kv[1].order or 0, kv[0]))),
                annotations={k: tuple(v) for k, v in sorted(annotations.items()) if k in articles},
                alias_table=dict(sorted(alias_table.items())),
                by_outlet={k: tuple(v) for k, v in sorted(by_outlet.items())},
                by_tag={k: tuple(v) for k, v in sorted(by_tag.items())},
                by_story={k: tuple(v) for k, v in sorted(by_story.items())},
                matcher=Matcher(alias_table), failed=failed, claims=dict(sorted(claim_files.items())))


# What a record may change and leave the rest of the Site as it was: an article's place in the order and
# the groupings, an entity's in the alias table (and so the matcher, the people of bylines, the outlet
# checks), a page's in the navigation.
_SAME = {Article: ("slug", "source", "published", "outlet", "story", "tags"),
         Entity: ("slug", "source", "name", "aliases", "owns", "type"),
         Page: ("slug", "source", "order")}


def reassemble(last: Site, last_records: list, config: SiteConfig, records: list, failed: frozenset) -> Site | None:
    """What ``assemble`` gives for ``records``, from ``last`` (what it gave for ``last_records``, with no
    error), when no more changed than articles', entities' or pages' records, each replaced by one
    differing only in what the rest of the Site does not read (``_SAME``): only those records are
    looked at, and the alias table, its matcher, the order and the groupings are the last ones.
    None otherwise (then ``assemble``)."""
    if len(records) != len(last_records) or config != last.config or failed != last.failed:
        return None
    kinds = {Article: dict(last.articles), Entity: None, Page: None}
    for old, new in zip(last_records, records):
        if old is new:
            continue
        kind = type(new)
        same = _SAME.get(kind)
        if same is None or type(old) is not kind or any(getattr(old, f) != getattr(new, f) for f in same):
            return None
        if kinds[kind] is None:
            kinds[kind] = dict(last.entities if kind is Entity else last.pages)
        kinds[kind][new.slug] = new
    entities = kinds[Entity] if kinds[Entity] is not None else dict(last.entities)
    return Site(config=config, articles=kinds[Article], entities=entities,
                pages=kinds[Page] if kinds[Page] is not None else dict(last.pages),
                annotations=dict(last.annotations), alias_table=last.alias_table, by_outlet=last.by_outlet,
                by_tag=last.by_tag, by_story=last.by_story, matcher=last.matcher, failed=failed,
                claims=dict(last.claims))
