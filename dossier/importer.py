"""``import PAGE...``: write ``content/articles/<slug>.md`` from saved web pages or URLs.

Each PAGE is read, its report extracted (:mod:`dossier.extract`), its outlet matched to an
outlet entity, and one new file written with ``open(..., "x")``: an existing file is
never touched.  A page that fails gets one ``PAGE: message`` line on stderr and writes
nothing; the other pages of the run still import.
"""
from __future__ import annotations

import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import __version__
from .extract import PageError, Report, extract, html_text
from .frontmatter import yaml_quote
from .load import content_files, load_file
from .model import Entity
from .urls import SLUG_RE, slugify

MAX_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 30  # seconds, for each read of a URL
MISSING_DATE = "unknown"  # not a date: the build reports the line until the editor sets it


@dataclass(frozen=True, slots=True)
class Options:
    outlet: str = ""
    story: str = ""
    slug: str = ""


def is_url(page: str) -> bool:
    return re.match(r"^https?://", page, re.I) is not None


def fetch(url: str) -> tuple[bytes, str, str]:
    """(body, charset, final address) of an HTML page on the web, or PageError."""
    req = urllib.request.Request(url, headers={"User-Agent": f"Dossier/{__version__} (import)"})
    try:
        with urllib.request.urlopen(req, timeout=FETCH_TIMEOUT) as resp:
            ctype = resp.headers.get_content_type()
            if ctype not in ("text/html", "application/xhtml+xml"):
                raise PageError(f"not an HTML page (the server sent {ctype})")
            data = resp.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise PageError(f"page larger than {MAX_BYTES // 2**20} MB")
            return data, resp.headers.get_content_charset() or "", resp.geturl()
    except urllib.error.HTTPError as exc:
        raise PageError(f"cannot fetch: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise PageError(f"cannot fetch: {exc.reason}") from None
    except (OSError, ValueError) as exc:  # timeouts, resets, malformed addresses
        raise PageError(f"cannot fetch: {exc}") from None


def read_page(page: str) -> Report:
    if is_url(page):
        data, charset, final = fetch(page)
        text, _saved = html_text(data, charset)
        return extract(text, final)
    path = Path(page)
    if path.is_dir():
        raise PageError("is a folder, not a saved page")
    if path.exists() and not path.is_file():
        raise PageError("not a regular file")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise PageError(f"cannot read file: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise PageError(f"file larger than {MAX_BYTES // 2**20} MB; is it a saved web page?")
    text, saved_from = html_text(data)
    return extract(text, saved_from)


def outlets(root: Path) -> list[Entity]:
    """The archive's outlet entities (files with errors are skipped: ``check`` reports them)."""
    out = []
    for kind, path in content_files(root):
        if kind == "entities":
            out.extend(r for r in load_file(root, kind, path).records if r.type == "outlet")
    return out


def _norm(name: str) -> str:
    name = " ".join(name.casefold().replace("’", "'").split())
    return name[4:] if name.startswith("the ") else name


def _host_of(url: str) -> str:
    m = re.match(r"^https?://(?:www\.)?([^/:?#]+)", url, re.I)
    return m.group(1).lower() if m else ""


def match_outlet(report: Report, known: list[Entity]) -> Entity | None:
    """The outlet entity named like the page's site, or whose web address shares its host."""
    site = _norm(report.sitename)
    label = report.host.split(".")[0] if report.host else ""
    for ent in known:
        if site and any(_norm(n) == site for n in ent.names):
            return ent
    for ent in known:
        hosts = {_host_of(u) for u in ent.same_as} - {""}
        if report.host and any(report.host == h or report.host.endswith("." + h) for h in hosts):
            return ent
    for ent in known:
        if label and any(slugify(n) == label for n in ent.names):
            return ent
    return None


def front_matter(report: Report, title: str, outlet: str, story: str) -> str:
    lines = ["---", f"title: {yaml_quote(title)}", f"outlet: {outlet}"]
    if report.published:
        lines.append(f"published: {report.published}")
    else:
        lines.append(f"published: {MISSING_DATE}  # the page gives no date: write it as YYYY-MM-DD")
        lines.append("date_note: " + yaml_quote("No publication date on the imported page: find it, set 'published' "
                                          "and say here where it comes from."))
    if report.byline:
        lines.append(f"byline: {yaml_quote(report.byline)}")
    if report.url:
        lines.append(f"url: {yaml_quote(report.url)}")
    if story:
        lines.append(f"story: {story}")
    return "\n".join(lines) + "\n---\n"


def suggest_outlet(report: Report, slug: str) -> str:
    lines = ["---", f"name: {yaml_quote(report.sitename or report.host or slug)}", "type: outlet"]
    home = re.match(r"^https?://[^/?#]+", report.url or "", re.I)
    if home:
        lines.append(f"same_as: [{yaml_quote(home.group(0) + '/')}]")
    return "\n".join(lines + ["---", ""])


def _outlet_for(page: str, report: Report, known: list[Entity], opts: Options, notes: list[str]) -> str:
    if opts.outlet:
        if opts.outlet not in {e.slug for e in known}:
            notes.append(f"no outlet entity '{opts.outlet}' yet: create content/entities/outlets/{opts.outlet}.md:\n"
                         + suggest_outlet(report, opts.outlet))
        return opts.outlet
    ent = match_outlet(report, known)
    if ent is not None:
        return ent.slug
    if not (report.sitename or report.host):
        notes.append("could not determine the outlet: wrote 'outlet: unknown'; give --outlet SLUG")
        return "unknown"
    slug = slugify(re.sub(r"^the\s+", "", report.sitename, flags=re.I) or report.host.split(".")[0])
    what = " / ".join(x for x in (report.sitename, report.host) if x)
    notes.append(f"no outlet entity matches {what!r}: wrote 'outlet: {slug}'; "
                 f"create content/entities/outlets/{slug}.md:\n" + suggest_outlet(report, slug))
    return slug


def _title(page: str, report: Report, notes: list[str]) -> str:
    if report.title:
        return report.title
    stem = re.sub(r"[?#].*$", "", page.rstrip("/")).rsplit("/", 1)[-1]
    stem = re.sub(r"\.(?:html?|xhtml|mhtml?)$", "", stem, flags=re.I).replace("-", " ").replace("_", " ").strip()
    notes.append(f"no title found: wrote {stem or 'Untitled'!r}; correct 'title'")
    return stem or "Untitled"


def default_slug(title: str) -> str:
    """The title's first eight words, without a dangling 'of', 'the' or 'and' at the end."""
    words = slugify(title).split("-")
    while len(words) > 1 and words[-1] in ("a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "at", "by"):
        words.pop()
    return "-".join(words)


def import_one(root: Path, page: str, known: list[Entity], opts: Options) -> tuple[Path, list[str]]:
    """Write one article; returns its path and what could not be determined.  Raises PageError."""
    report = read_page(page)
    notes: list[str] = []
    title = _title(page, report, notes)
    outlet = _outlet_for(page, report, known, opts, notes)
    if not report.published:
        notes.append(f"no publication date found: wrote 'published: {MISSING_DATE}' and a date_note; "
                     "the build reports it until you set the date")
    if not report.byline:
        notes.append("no byline found")
    if not report.url:
        notes.append("no canonical URL found")
    slug = opts.slug or default_slug(title)
    target = root / "content" / "articles" / f"{slug}.md"
    taken = next((p for k, p in content_files(root) if k in ("entities", "pages") and p.stem == slug), None)
    if taken is not None:
        raise PageError(f"slug '{slug}' is taken by {taken.relative_to(root).as_posix()}; nothing written "
                        f"(choose another name with --slug)")
    text = front_matter(report, title, outlet, opts.story) + report.body
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        raise PageError(f"content/articles/{slug}.md already exists; nothing written "
                        f"(choose another name with --slug)") from None
    except OSError as exc:
        raise PageError(f"cannot write content/articles/{slug}.md: {exc.strerror}") from None
    return target, notes


def check_options(pages: list[str], opts: Options) -> str:
    """A one-line complaint about the options, or ''."""
    for key in ("outlet", "story", "slug"):
        value = getattr(opts, key)
        if value and not SLUG_RE.match(value):
            return f"error: --{key} must be a slug (lowercase letters, digits and hyphens), not {value!r}"
    if opts.slug and len(pages) > 1:
        return "error: --slug names one article; import one PAGE at a time with it"
    return ""


def run(root: Path, pages: list[str], opts: Options) -> int:
    problem = check_options(pages, opts)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    known = outlets(root)
    failed = 0
    for page in pages:
        try:
            target, notes = import_one(root, page, known, opts)
        except PageError as exc:
            print(f"{page}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{page}: wrote {target.relative_to(root).as_posix()}")
        for note in notes:
            print(f"{page}: {note}")
    return 1 if failed else 0
