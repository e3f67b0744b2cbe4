"""Machine-readable pages: schema.org JSON-LD, Open Graph and Twitter card tags for each page.

:func:`head_meta` takes what a page's template receives and returns what ``base.html`` puts in
``<head>``: ``jsonld`` (a ``<script type="application/ld+json">`` body, already escaped so no
text can close the script element) and ``tags`` ((attribute, name, content) triples).
"""
from __future__ import annotations

import json

from markupsafe import Markup

from .render import escape_text

ENTITY_TYPES = {"person": "Person", "organisation": "Organization", "place": "Place", "event": "Event",
                "outlet": "NewsMediaOrganization"}
# ``json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` without an encoder made per call
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data) -> Markup:
    """JSON for inside a ``<script>`` element: ``<``, ``>`` and ``&`` as escapes, so ``</script>`` or
    ``<!--`` in any text cannot end or change the element, and the JSON still parses to the same data."""
    text = _JSON.encode(data)
    for mark, escaped in _SCRIPT_SAFE.items():  # ``str.replace`` each: ``translate`` reads a dict per character
        if mark in text:
            text = text.replace(mark, escaped)
    return Markup(text)


def _org(entity, name: str, urls) -> dict:
    org = {"@type": "NewsMediaOrganization", "name": name}
    if entity is not None:
        org["url"] = urls.absolute(f"entities/{entity.slug}/")
        if entity.same_as:
            org["sameAs"] = list(entity.same_as)
    return org


def _article(ctx: dict, urls, canonical: str) -> dict:
    art, outlet = ctx["article"], ctx.get("outlet")
    data = {"@type": "NewsArticle", "headline": art.title, "datePublished": art.published.isoformat(),
            "publisher": _org(outlet, outlet.name if outlet else art.outlet, urls), "url": canonical,
            "mainEntityOfPage": canonical}
    if art.url:
        data["isBasedOn"] = art.url
    if art.byline:
        data["author"] = {"@type": "Person", "name": art.byline}
    if art.tags:
        data["keywords"] = list(art.tags)
    mentioned = ctx.get("mentioned") or []
    if mentioned:
        data["mentions"] = [{"@type": ENTITY_TYPES.get(e.type, "Thing"), "name": e.name,
                             "url": urls.absolute(f"entities/{e.slug}/")} for e, _n in mentioned]
    return data


def _entity(ctx: dict, canonical: str) -> dict:
    ent = ctx["entity"]
    data = {"@type": ENTITY_TYPES.get(ent.type, "Thing"), "name": ent.name, "url": canonical}
    if ent.aliases:
        data["alternateName"] = list(ent.aliases)
    if ent.description:
        data["description"] = ent.description
    if ent.same_as:
        data["sameAs"] = list(ent.same_as)
    if ent.type == "event" and ent.date:
        data["startDate"] = ent.date.isoformat()
    return data


def head_meta(template: str, title: str, description: str, path: str, ctx: dict, urls) -> dict:
    """``ctx``: what the page's template receives (its ``config`` and the records of the page)."""
    config = ctx["config"]
    canonical = urls.absolute(path)
    if template == "article.html":
        data, og_type = _article(ctx, urls, canonical), "article"
    elif template == "entity.html":
        data, og_type = _entity(ctx, canonical), "profile" if ctx["entity"].type == "person" else "website"
    elif template == "home.html":
        data, og_type = {"@type": "WebSite", "name": config.title, "url": canonical}, "website"
    else:
        data, og_type = {"@type": "WebPage", "name": title, "url": canonical}, "website"
    data = {"@context": "https://schema.org", **data, "inLanguage": config.language}
    if description and "description" not in data:
        data["description"] = description
    tags = [("property", "og:type", og_type), ("property", "og:title", title),
            ("property", "og:site_name", config.title), ("property", "og:locale", config.language.replace("-", "_"))]
    if urls.origin:
        tags.append(("property", "og:url", canonical))
    if description:
        tags.append(("property", "og:description", description))
    if template == "article.html":
        tags.append(("property", "article:published_time", ctx["article"].published.isoformat()))
    tags += [("name", "twitter:card", "summary"), ("name", "twitter:title", title)]
    if description:
        tags.append(("name", "twitter:description", description))
    return {"jsonld": script_json(data), "tags": tags, "meta": meta_tags(tags)}


def meta_tags(tags: list) -> Markup:
    """``head.meta``: one ``<meta attr="name" content="...">`` line per tag, what ``base.html``'s loop over
    ``head.tags`` wrote (escaped alike), made in one call: every page has about ten."""
    starts = _TAG_STARTS
    return Markup("".join(f'{starts.get((a, n)) or _tag_start(a, n)}{escape_text(c)}">\n' for a, n, c in tags))


_TAG_STARTS: dict[tuple[str, str], str] = {}  # (attribute, name) -> its tag's escaped start, up to its content


def _tag_start(attribute: str, name: str) -> str:
    """``<meta attribute="name" content="``, escaped: made once for each of the dozen a page names
    (``head_meta``'s, the same on every page), kept for the next pages."""
    start = f'<meta {escape_text(attribute)}="{escape_text(name)}" content="'
    if len(_TAG_STARTS) < 256:  # a theme's tags beside them: the cache stays small
        _TAG_STARTS[(attribute, name)] = start
    return start
