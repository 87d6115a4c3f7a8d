"""The book builds with warnings as errors, every page in _toc.yml is built, and no built page
loads anything (scripts, styles, fonts, images, data) from another host.

The build itself is the session fixture ``built_book`` in ``conftest.py`` (shared with the
browser tests), so the book is built once per test session.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from conftest import _SPHINX_PROBLEM, ROOT, BookBuild

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from safercare_book import fix_body, name_toctree_toggles  # noqa: E402  (the book's own Sphinx extension)

pytestmark = pytest.mark.book

# Attributes through which an HTML element makes the browser fetch something.
_FETCH_ATTRIBUTE = re.compile(
    r"<(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?\s(?P<attr>src|href|srcset|data|poster|action)"
    r"\s*=\s*[\"'](?P<url>[^\"']*)[\"']",
    re.IGNORECASE,
)
# CSS url(...) and @import, in style sheets and in inline styles.
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?P<url>[^"')\s]+)""", re.IGNORECASE)
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
# Hyperlinks are not fetched when a page loads; nor are these <link> relations.
_NOT_FETCHED_LINK_RELS = {"canonical", "alternate", "author", "license", "search", "next", "prev"}


def external_fetches(html: str) -> list[str]:
    """Every reference in an HTML page that would make a browser contact another host."""
    found = []
    for match in _FETCH_ATTRIBUTE.finditer(html):
        tag, url = match["tag"].lower(), match["url"].strip()
        if tag == "a" or not _EXTERNAL.match(url):
            continue
        if tag == "link":
            rel = re.search(r"\brel\s*=\s*[\"']([^\"']*)[\"']", match.group(0), re.IGNORECASE)
            if rel and set(rel.group(1).lower().split()) <= _NOT_FETCHED_LINK_RELS:
                continue
        found.append(f"<{tag} {match['attr']}={url}>")
    found += [f"css url({m['url']})" for m in _CSS_URL.finditer(html) if _EXTERNAL.match(m["url"])]
    return found


def test_external_fetch_detector_catches_what_it_should() -> None:
    page = """
        <a href="https://mybinder.org/v2/gh/x">Launch</a>
        <link rel="canonical" href="https://example.org/book/">
        <script src="/_static/local.js"></script>
        <script src="https://cdn.example.org/lib.js"></script>
        <link rel="stylesheet" href="//fonts.example.org/css">
        <img alt="" src="http://example.org/i.png">
        <div style="background: url('https://example.org/bg.png')"></div>
    """
    found = external_fetches(page)
    assert len(found) == 4, found
    assert not any("mybinder" in item or "canonical" in item for item in found)


def test_markup_fixes_repair_what_axe_flags() -> None:
    body = (
        '<div role="list" class="citation-list">'
        '<div class="citation" id="id1" role="doc-biblioentry"><span>Durkin</span></div></div>'
        '<table><thead><tr><th></th><th>falls</th></tr></thead></table>'
        '<table><thead><tr><th class="blank level0" >&nbsp;</th></tr></thead></table>'
        '<table><thead><tr class="row-odd"><th class="head"><p></p></th></tr></thead></table>'
        '<details><summary aria-label="Toggle hidden content"><p>Show code</p></summary></details>'
        '<li class="task-list-item"><p><input class="task-list-item-checkbox" disabled="disabled"'
        ' type="checkbox"> One table per sheet</p></li>'
    )
    fixed = fix_body(body)
    assert '<div class="citation" id="id1" role="listitem">' in fixed
    assert "doc-biblioentry" not in fixed
    assert "<th></th>" not in fixed and "<td></td><th>falls</th>" in fixed
    assert '<td class="blank level0" ></td>' in fixed
    assert '<td class="head"></td>' in fixed
    assert "<summary><p>Show code</p></summary>" in fixed
    assert '<input class="task-list-item-checkbox" aria-label="checklist item" disabled' in fixed
    assert fix_body(fixed) == fixed


def test_warning_detector_tells_sphinx_warnings_from_kernel_chatter() -> None:
    assert _SPHINX_PROBLEM.search("/work/book/x.md:3: WARNING: term not in glossary: 'foo'")
    assert _SPHINX_PROBLEM.search("WARNING: toctree contains reference to nonexisting document")
    assert _SPHINX_PROBLEM.search("book/x.md:9: ERROR: Unknown directive type: 'glosary'.")
    assert not _SPHINX_PROBLEM.search("[IPKernelApp] WARNING | Kernel is running over TCP")


def test_sidebar_toggles_are_named_after_their_page() -> None:
    html = (
        '<li class="toctree-l1 has-children"><a class="reference internal" href="m.html">'
        "Measurement for improvement</a><details><summary><span class=\"toctree-toggle\" "
        'role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary>'
    )
    named = name_toctree_toggles(html)
    assert '<summary aria-label="Pages in Measurement for improvement">' in named
    assert name_toctree_toggles(named) == named


def test_book_builds_with_no_warnings(built_book: BookBuild) -> None:
    assert built_book.returncode == 0, built_book.log[-6000:]
    assert not built_book.warnings, "\n".join(built_book.warnings)
    print(f"book build: {built_book.seconds:.1f} s")


def test_every_toc_entry_is_built(built_book: BookBuild, toc_docnames: list[str]) -> None:
    missing = [name for name in toc_docnames if not built_book.page(name).is_file()]
    assert not missing, f"in _toc.yml but not built: {missing}"
    assert len(toc_docnames) == len(set(toc_docnames)), "a page is listed twice in _toc.yml"


def test_no_page_is_built_outside_the_toc(built_book: BookBuild, toc_docnames: list[str]) -> None:
    html = built_book.html_dir
    built = {
        path.relative_to(html).with_suffix("").as_posix()
        for path in html.rglob("*.html")
        if not path.relative_to(html).parts[0].startswith("_")
    }
    extra = built - set(toc_docnames) - {"index", "genindex", "search"}
    assert not extra, f"built but not in _toc.yml: {sorted(extra)}"


def test_no_page_fetches_from_another_host(built_book: BookBuild) -> None:
    html = built_book.html_dir
    offenders = {}
    files = [*html.rglob("*.html"), *(html / "_static").rglob("*.css")]
    for path in files:
        found = external_fetches(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            offenders[path.relative_to(html).as_posix()] = found[:5]
    assert not offenders, offenders


def test_every_toc_entry_has_a_source_file(repo_root: Path, toc_docnames: list[str]) -> None:
    missing = [
        name
        for name in toc_docnames
        if not any((repo_root / f"{name}{ext}").is_file() for ext in (".md", ".ipynb"))
    ]
    assert not missing, missing


def test_config_names_the_repository_once(repo_root: Path) -> None:
    config = yaml.safe_load((repo_root / "_config.yml").read_text(encoding="utf-8"))
    url = config["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert (repo_root / "_config.yml").read_text(encoding="utf-8").count(url) == 1
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["only_build_toc_files"] is True
    static = config["sphinx"]["config"]["html_static_path"]
    assert "_static" not in static and not (repo_root / "_static").exists(), (
        "Jupyter Book 1 injects every .js under a root _static/ folder into every page"
    )
