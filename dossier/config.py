"""``site.yaml``: one small typed config object; unknown keys are errors."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import ErrorList
from .frontmatter import FrontMatterError, clean_text, normalize_newlines, parse_yaml_mapping
from .suggest import brief, did_you_mean
from .urls import split_base_url


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str = "Dossier"
    description: str = ""
    language: str = "en"
    base_url: str = "/"  # absolute (https://user.github.io/repo/) or a path (/repo/)
    author: str = ""
    link_mentions: str = "all"  # "all", "paragraph" (the first per paragraph) or "first" (per article) is a link
    domain: str = ""  # custom domain for GitHub Pages: writes CNAME, serves at /
    home_entities: int = 12  # how many entities the home page shows
    shared_passages: bool = True  # find passages several articles print nearly verbatim

    @classmethod
    def for_test(cls, **overrides) -> "SiteConfig":
        return cls(**{"title": "Test archive", **overrides})

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        return split_base_url(self.base_url)[1]

    @property
    def origin(self) -> str:
        """``https://host`` when base_url is absolute, else ''."""
        return split_base_url(self.base_url)[0]


_TYPES = {f.name: f.type for f in fields(SiteConfig)}


def _check(data: dict, lines: dict, path: str, errors: ErrorList) -> dict:
    clean = {}
    for key, value in data.items():
        line = lines.get(key, 1)
        if key not in _TYPES:
            known = ", ".join(sorted(_TYPES))
            errors.add(path, line, f"unknown key {brief(key)} in site.yaml{did_you_mean(str(key), list(_TYPES))} (known keys: {known})")
            continue
        want = _TYPES[key]
        if value is None or value == "":
            errors.add(path, line, f"'{key}' is empty: give it a value or remove the line")
            continue
        if want == "bool":
            if not isinstance(value, bool):
                errors.add(path, line, f"'{key}' must be true or false, not {brief(value)}")
                continue
        elif want == "int":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.add(path, line, f"'{key}' must be a whole number, not {brief(value)}")
                continue
        elif not isinstance(value, str):
            errors.add(path, line, f"'{key}' must be text, not {type(value).__name__}")
            continue
        if isinstance(value, str):
            value, msg = clean_text(value.strip(), key, isolate=key in ("title", "description", "author"))
            if msg:
                errors.add(path, line, msg)
                continue
        clean[key] = value
    if clean.get("link_mentions", "all") not in ("all", "paragraph", "first"):
        errors.add(path, lines.get("link_mentions", 1), "'link_mentions' must be 'all', 'paragraph' or 'first'")
        clean.pop("link_mentions")
    base = clean.get("base_url")
    if base is not None and not (re.match(r"^https?://[^/\s]+(/\S*)?$", base) or re.match(r"^/\S*$", base)):
        errors.add(path, lines.get("base_url", 1), f"'base_url' must be an http(s) URL or a path starting with '/', not {brief(base)}")
        clean.pop("base_url")
    domain = clean.get("domain")
    if domain and not re.match(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", domain, re.I):
        errors.add(path, lines.get("domain", 1), f"'domain' must be a host name such as archive.example.org, not {brief(domain)}")
        clean.pop("domain")
    return clean


ORIGIN_HINT = ("sitemap.xml and feed.xml need absolute URLs, so they are not written; give the address "
               "the site is published at with --base-url https://user.github.io/repo/ or an absolute "
               "base_url in site.yaml")


class _Outside(Exception):
    """site.yaml is a link that leaves the archive (the message is where it leads)."""


def _read_inside(root: Path, path: Path) -> bytes:
    target = Path(os.path.realpath(path))
    if path.is_symlink() and not target.is_relative_to(os.path.realpath(root)):
        raise _Outside(target)
    return path.read_bytes()


def load_config(root: Path, errors: ErrorList, *, base_url: str | None = None,
                need_origin: bool = False) -> SiteConfig:
    """Read ``root/site.yaml``; problems go to ``errors``, a usable config always comes back.

    With ``need_origin`` (a build for publishing, not the preview), a base URL
    without scheme and host is a warning at site.yaml's ``base_url`` line.
    """
    path = root / "site.yaml"
    rel = "site.yaml"
    clean: dict = {}
    lines: dict = {}
    unparsed = False
    try:
        text = _read_inside(root, path).decode("utf-8")
    except FileNotFoundError:
        errors.add(rel, 0, "site.yaml not found: every archive needs one (see README, 'site.yaml')")
        text = None
    except _Outside as exc:
        errors.add(rel, 0, f"symbolic link to {exc}, outside the archive: Dossier reads nothing outside the "
                           "archive (copy the file in instead)")
        text = None
    except OSError as exc:
        errors.add(rel, 0, f"cannot read site.yaml: {exc.strerror or exc}")
        text = None
    except UnicodeDecodeError as exc:
        errors.add(rel, 1, f"not valid UTF-8 (byte {exc.start})")
        text = None
    if text is not None:
        try:
            data, lines = parse_yaml_mapping(normalize_newlines(text.lstrip("\ufeff")))
        except FrontMatterError as exc:
            errors.add(rel, exc.line, exc.message)
            unparsed = True
        else:
            clean = _check(data, lines, rel, errors)
    if clean.get("domain") and "base_url" not in clean:
        clean["base_url"] = f"https://{clean['domain']}/"
    if base_url is not None:
        clean["base_url"] = base_url
    config = SiteConfig(**clean)
    # A site.yaml that did not load, or a base_url that was refused, has its own error: no second word.
    unread = text is None or unparsed or ("base_url" in lines and "base_url" not in clean)
    if need_origin and not config.origin and not (unread and base_url is None):
        if base_url is not None:
            what = f"--base-url {brief(base_url)} has no origin (https://host)"
        elif "base_url" in lines:
            what = f"base_url {brief(config.base_url)} has no origin (https://host)"
        else:
            what = "no base_url is set"
        errors.add(rel, lines.get("base_url", 1), f"{what}: {ORIGIN_HINT}", warning=True)
    return config
