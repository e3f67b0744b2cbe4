"""dossier/config.py: site.yaml validation, with the line of every problem."""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier.config import SiteConfig, load_config
from dossier.errors import ErrorList


def load(tmp_path: Path, text: str | None, **kw):
    if text is not None:
        (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    errors = ErrorList(tmp_path)
    return load_config(tmp_path, errors, **kw), errors


def test_valid_config_is_read(tmp_path):
    config, errors = load(tmp_path, "title: My archive\ndescription: ' About it '\nhome_entities: 3\n"
                                    "shared_passages: false\nlink_mentions: first\n")
    assert not errors.items
    assert config.title == "My archive"
    assert config.description == "About it"  # stripped
    assert config.home_entities == 3
    assert config.shared_passages is False
    assert config.link_mentions == "first"


def test_unknown_key_is_named_with_its_line(tmp_path):
    config, errors = load(tmp_path, "title: T\n# a comment\n\ntitel: oops\n")
    [err] = errors.items
    assert (err.path, err.line) == ("site.yaml", 4)
    assert "unknown key 'titel'" in err.message
    assert "title" in err.message  # the known keys are listed
    assert str(err).startswith("site.yaml:4: unknown key 'titel'")
    assert config.title == "T"  # the rest of the config still loads


@pytest.mark.parametrize("text,line,phrase", [
    ("title: [a, b]\n", 1, "'title' must be text"),
    ("title: T\nhome_entities: many\n", 2, "'home_entities' must be a whole number"),
    ("title: T\nhome_entities: -1\n", 2, "'home_entities' must be a whole number"),
    ("title: T\nhome_entities: true\n", 2, "'home_entities' must be a whole number"),
    ("title: T\n\nshared_passages: yes please\n", 3, "'shared_passages' must be true or false"),
    ("title: T\nlink_mentions: some\n", 2, "'link_mentions' must be 'all', 'paragraph' or 'first'"),
    ("title: T\nbase_url: example.org/x\n", 2, "'base_url' must be an http(s) URL"),
    ("title: T\ndomain: not a host\n", 2, "'domain' must be a host name"),
])
def test_wrong_types_are_located(tmp_path, text, line, phrase):
    config, errors = load(tmp_path, text)
    [err] = errors.items
    assert err.line == line
    assert phrase in err.message
    assert isinstance(config, SiteConfig)  # a usable config always comes back


def test_bad_yaml_reports_its_line(tmp_path):
    _config, errors = load(tmp_path, "title: T\ndescription: [unclosed\nauthor: x\n")
    [err] = errors.items
    assert err.path == "site.yaml"
    assert err.line >= 2
    assert err.message.startswith("invalid YAML")


def test_duplicate_key(tmp_path):
    _config, errors = load(tmp_path, "title: A\nauthor: x\ntitle: B\n")
    [err] = errors.items
    assert err.line == 3 and "duplicate key 'title'" in err.message


def test_not_a_mapping(tmp_path):
    _config, errors = load(tmp_path, "- a\n- b\n")
    [err] = errors.items
    assert err.line == 1 and "mapping" in err.message


def test_missing_site_yaml(tmp_path):
    config, errors = load(tmp_path, None)
    [err] = errors.items
    assert err.path == "site.yaml" and "not found" in err.message
    assert str(err) == f"site.yaml: {err.message}"  # no line: no ':0'
    assert config == SiteConfig()


def test_non_utf8_site_yaml(tmp_path):
    (tmp_path / "site.yaml").write_bytes(b"title: caf\xe9\n")
    _config, errors = load(tmp_path, None)
    [err] = errors.items
    assert (err.path, err.line) == ("site.yaml", 1)
    assert "not valid UTF-8" in err.message


def test_empty_site_yaml_gives_defaults(tmp_path):
    config, errors = load(tmp_path, "")
    assert not errors.items
    assert config == SiteConfig()


@pytest.mark.parametrize("base_url,base_path,origin", [
    ("/", "/", ""),
    ("/repo", "/repo/", ""),
    ("/repo/", "/repo/", ""),
    ("/a/b/", "/a/b/", ""),
    ("https://user.github.io/repo/", "/repo/", "https://user.github.io"),
    ("https://user.github.io/repo", "/repo/", "https://user.github.io"),
    ("https://example.org", "/", "https://example.org"),
    ("http://localhost:8000/x/", "/x/", "http://localhost:8000"),
])
def test_base_path_and_origin(base_url, base_path, origin):
    config = SiteConfig.for_test(base_url=base_url)
    assert config.base_path == base_path
    assert config.origin == origin


def test_domain_sets_base_url(tmp_path):
    config, errors = load(tmp_path, "title: T\ndomain: archive.example.org\n")
    assert not errors.items
    assert config.base_url == "https://archive.example.org/"
    assert config.base_path == "/" and config.origin == "https://archive.example.org"


def test_explicit_base_url_wins_over_domain(tmp_path):
    config, _ = load(tmp_path, "title: T\ndomain: archive.example.org\nbase_url: /sub/\n")
    assert config.base_url == "/sub/"


def test_base_url_override_wins_over_file(tmp_path):
    config, errors = load(tmp_path, "title: T\nbase_url: https://user.github.io/repo/\n", base_url="/preview/")
    assert not errors.items
    assert config.base_url == "/preview/"
    assert config.base_path == "/preview/"


def test_for_test_gives_a_valid_config():
    config = SiteConfig.for_test(link_mentions="first")
    assert config.title and config.link_mentions == "first" and config.base_path == "/"
