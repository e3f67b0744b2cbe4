"""What a build reads: nothing outside the archive (symbolic links that leave it are errors naming
the link), and nothing under content/ is passed over without a word."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dossier.pipeline import build_site
from dossier.sources import scan_layouts

REPO = Path(__file__).resolve().parents[2]
MINIMAL = REPO / "tests" / "fixtures" / "sites" / "minimal"
SECRET = "root:x:0:0:the secret line"
ARTICLE = "---\ntitle: Outside\noutlet: daily\npublished: 2023-09-26\n---\n" + SECRET + "\n"


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(MINIMAL, root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(ARTICLE)
    (outside / "passwd").write_text(SECRET + "\n")
    (outside / "people").mkdir()
    (outside / "people" / "someone.md").write_text("---\nname: Someone Secret\ntype: person\n---\n")
    return root


def build(root: Path, **kw):
    return build_site(root, out=root.parent / "out", workers=1, **kw)


def lines(result) -> list[str]:
    return [str(e) for e in (*result.errors, *result.warnings)]


def published(root: Path) -> str:
    out = root.parent / "out"
    return "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()) if out.exists() else ""


@pytest.mark.parametrize("link, target", [
    ("content/articles/secret.md", "outside/secret.md"),
    ("content/entities/people", "outside/people"),
    ("layouts/assets/passwd.txt", "outside/passwd"),
    ("layouts/base.html", "outside/passwd"),
    ("content", "outside"),
])
def test_link_out_of_the_archive_is_an_error_naming_it(archive, link, target):
    path = archive / link
    if path.exists():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(archive.parent / target, path)
    result = build(archive)
    assert not result.ok
    mine = [e for e in result.errors if e.path == link]
    assert len(mine) == 1 and "outside the archive" in mine[0].message, lines(result)
    assert SECRET not in published(archive) and "Someone Secret" not in published(archive)


def test_links_inside_the_archive_are_followed(archive):
    shared = archive / "shared"
    shared.mkdir()
    (shared / "inside.md").write_text(ARTICLE.replace(SECRET, "Shared text by Rowley."))
    os.symlink(shared / "inside.md", archive / "content" / "articles" / "inside.md")
    (archive / "layouts" / "assets").mkdir(parents=True)
    (shared / "extra.css").write_text("body{}")
    os.symlink("../../shared/extra.css", archive / "layouts" / "assets" / "extra.css")
    result = build(archive)
    assert result.ok and not result.warnings, lines(result)
    out = archive.parent / "out"
    assert "Shared text by" in (out / "articles" / "inside" / "index.html").read_text()
    assert (out / "assets" / "extra.css").read_text() == "body{}"


def test_default_theme_may_not_link_out_of_its_folder(tmp_path):
    theme = tmp_path / "theme"
    (theme / "assets").mkdir(parents=True)
    (theme / "base.html").write_text("x")
    (tmp_path / "elsewhere.css").write_text("secret")
    os.symlink(tmp_path / "elsewhere.css", theme / "assets" / "a.css")
    files, problems = scan_layouts(tmp_path, [theme], theme)
    assert [rel for _d, rel, _p in files] == ["base.html"]
    assert len(problems) == 1 and problems[0].path.endswith("theme/assets/a.css") and not problems[0].warning


def test_files_not_read_are_warnings_naming_them(archive):
    content = archive / "content"
    (content / "article").mkdir()
    (content / "article" / "typo.md").write_text(ARTICLE)
    (content / "articles" / "old.markdown").write_text(ARTICLE)
    (content / "articles" / "page.html").write_text("<p>x</p>")
    (content / "pages").mkdir()
    (content / "pages" / "notes.txt").write_text("x")
    (content / "articles" / "nested").mkdir()
    (content / "stray.md").write_text("x")
    result = build(archive)
    assert result.ok, lines(result)
    got = {w.path: w.message for w in result.warnings}
    assert set(got) == {"content/article", "content/articles/old.markdown", "content/articles/page.html",
                        "content/pages/notes.txt", "content/articles/nested", "content/stray.md"}
    assert "did you mean content/articles/?" in got["content/article"]
    assert "rename it to old.md" in got["content/articles/old.markdown"]
    strict = build(archive, strict=True)
    assert not strict.ok and len(strict.errors) == 6 and not strict.warnings


def test_hidden_and_editor_files_are_passed_over_silently(archive):
    arts = archive / "content" / "articles"
    for name in (".report.md.swp", "report.md~", "#report.md#", ".hidden.md", ".DS_Store"):
        (arts / name).write_text("x")
    os.symlink("user@host.1234:1700000000", arts / ".#report.md")  # an emacs lock: a dangling link
    result = build(archive)
    assert result.ok and not result.warnings, lines(result)


def test_missing_content_folder_is_an_error(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "site.yaml").write_text("title: T\n")
    result = build(root)
    assert not result.ok
    assert [(e.path, e.line) for e in result.errors] == [("content", 0)]
    assert "no content/ folder" in result.errors[0].message
    assert not (tmp_path / "out").exists()


def test_preview_rebuild_sees_new_links_and_stray_files(archive):
    from dossier.pipeline import Builder

    b = Builder(archive, archive.parent / "out", workers=1, swap=False)
    assert b.build().ok
    stray = archive / "content" / "articles" / "draft.txt"
    stray.write_text("x")
    result = b.build({stray})
    assert [w.path for w in result.warnings] == ["content/articles/draft.txt"]
    link = archive / "content" / "articles" / "secret.md"
    os.symlink(archive.parent / "outside" / "secret.md", link)
    result = b.build({link})
    assert [e.path for e in result.errors] == ["content/articles/secret.md"]
    assert SECRET not in published(archive)
    link.unlink()
    stray.unlink()
    result = b.build({link, stray})
    assert result.ok and not result.warnings


def test_site_yaml_linked_outside_the_archive_is_never_read(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: SECRET-TITLE\n", encoding="utf-8")
    root = tmp_path / "archive"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "site.yaml").symlink_to(secret)
    result = build_site(root, out=tmp_path / "out")
    assert not result.ok
    assert [str(e) for e in result.errors if e.path == "site.yaml"] == [
        f"site.yaml: symbolic link to {secret}, outside the archive: Dossier reads nothing outside the archive "
        "(copy the file in instead)"]
    assert not (tmp_path / "out").exists()


def test_site_yaml_that_is_a_folder_is_one_line(tmp_path):
    root = tmp_path / "archive"
    (root / "site.yaml").mkdir(parents=True)
    (root / "content").mkdir()
    result = build_site(root, out=tmp_path / "out")
    assert [str(e) for e in result.errors if e.path == "site.yaml"] == ["site.yaml: cannot read site.yaml: Is a directory"]


def test_layout_folder_named_like_a_template_is_an_error(archive):
    """A folder ``layouts/article.html`` (an unzipped theme, a slip of the file manager) would be
    passed over by Jinja, which would take the default theme's article.html without a word."""
    (archive / "layouts" / "article.html").mkdir(parents=True)
    (archive / "layouts" / "article.html" / "article.html").write_text("{% extends 'base.html' %}")
    result = build(archive)
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "layouts/article.html: a folder, not a template: a template is a file; rename the folder "
        "or put the template article.html in its place"]
    assert not (archive.parent / "out").exists()
