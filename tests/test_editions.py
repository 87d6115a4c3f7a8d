"""Local editions: a small file is checked (every problem at once, with its line) and builds
its own book, with the national book's ``-W``, offline and accessibility checks.

The two example editions in ``editions/`` are built here and must differ as their files say;
the national ``_toc.yml`` and ``_config.yml`` are not touched by either build.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, BookBuild, WatchedPage, free_port, wait_for_port

from safercare import editions
from safercare.errors import DataError

EXAMPLES = {"northmere-fells": ROOT / "editions" / "northmere-fells.yml",
            "otterholt": ROOT / "editions" / "otterholt.yml"}
GOOD = EXAMPLES["northmere-fells"].read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, priorities: str | None = None) -> Path:
    path = tmp_path / "edition.yml"
    path.write_text(text, encoding="utf-8")
    csv = (ROOT / "editions" / "northmere-fells-priorities.csv").read_text(encoding="utf-8")
    (tmp_path / "northmere-fells-priorities.csv").write_text(
        csv if priorities is None else priorities, encoding="utf-8")
    return path


def _problems(path: Path) -> str:
    with pytest.raises(DataError) as caught:
        editions.read_edition(path)
    return str(caught.value)


# ------------------------------------------------------------------ checking a file
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_editions_are_valid(name: str) -> None:
    edition = editions.read_edition(EXAMPLES[name])
    assert edition.id == name and edition.modules and edition.organisations


def test_every_problem_is_named_at_once_with_its_line(tmp_path: Path) -> None:
    text = (GOOD.replace("  - testing-changes-pdsa\n", "  - knitting\n")
                .replace("  - C01-MH1\n", "  - C11-MH1\n")
                .replace("contact: improvement@northmere-fells.example.org\n", ""))
    lines = text.splitlines()
    message = _problems(_write(tmp_path, text, "rank,topic\n1,Being open when things go wrong\n"))
    assert "We found 4 problems in edition.yml" in message
    knit = next(i for i, line in enumerate(lines, 1) if "knitting" in line)
    org = next(i for i, line in enumerate(lines, 1) if "C11-MH1" in line)
    assert f"Line {knit}: the field 'modules': 'knitting' is not a part of the course" in message
    assert f"Line {org}: the field 'organisations': C11-MH1" in message and "Otterholt" in message
    assert "the field 'contact' is missing" in message
    assert "row 2: no part of this edition teaches 'Being open when things go wrong'" in message


def test_unknown_field_topic_and_collaborative_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace("collaborative: C01", "collaborative: C99") + "colour: blue\n"
    message = _problems(_write(tmp_path, text, "rank,topic\nfirst,Knitting safely\n"))
    assert "'C99' is not one of the course's collaboratives" in message
    assert "the field 'colour': this is not an edition field" in message
    assert "rank 'first' is not a whole number" in message
    assert "the topic 'Knitting safely' is not one the course teaches" in message


@pytest.mark.parametrize(("text", "says"), [
    ("id: [unclosed\n", "not a valid edition file"),
    ("just some words\n", "an edition file is a list of `field: value` lines"),
    ("\ufffe\x00\x01", "not a valid edition file"),
])
def test_broken_files_get_one_plain_message(tmp_path: Path, text: str, says: str) -> None:
    assert says in _problems(_write(tmp_path, text))


def test_huge_and_missing_files_are_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yml"
    big.write_text("welcome: " + "x" * (editions.MAX_BYTES + 1), encoding="utf-8")
    assert "larger than" in _problems(big)
    assert "no such file" in _problems(tmp_path / "absent.yml")


def test_text_from_the_file_is_shown_as_text(tmp_path: Path) -> None:
    hostile = GOOD.replace(
        "  Our patients, carers", "  <script>alert(1)</script> {doc}`x` Our patients, carers")
    pages = editions.pages(editions.read_edition(_write(tmp_path, hostile)))
    assert "<script>" not in pages["index.md"] and "&lt;script&gt;" in pages["index.md"]
    assert "{doc}`x`" not in pages["index.md"]


def test_launch_links_must_be_https(tmp_path: Path) -> None:
    text = GOOD.replace("https://mybinder.org/v2/gh/safer-care/safer-care/main",
                        "javascript:alert(1)")
    assert "the binder link must be one https:// address" in _problems(_write(tmp_path, text))


def test_command_line_check_says_fine_or_lists_problems(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    assert editions.main(["check", str(EXAMPLES["otterholt"])]) == 0
    assert "fine" in capsys.readouterr().out
    bad = _write(tmp_path, GOOD.replace("collaborative: C01", "collaborative: C99"))
    assert editions.main(["check", str(bad)]) == 1
    assert "C99" in capsys.readouterr().err


def test_the_order_keeps_the_core_and_adds_the_chosen_parts_first() -> None:
    edition = editions.read_edition(EXAMPLES["otterholt"])
    captions = [p["caption"] for p in editions._edition_parts(edition.modules)]
    assert captions[:2] == ["Start here", "Measurement for improvement"]
    assert captions[2:4] == ["Learning from other industries", "Testing changes (PDSA)"]
    assert captions[-1] == "Reference"
    national = {p["caption"] for p in editions.national_parts()}
    assert {c.removeprefix("Also in the national course: ") for c in captions} == national


# ------------------------------------------------------------------ building editions
def _digest(*paths: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()


@pytest.fixture(scope="module")
def built_editions(built_book: BookBuild, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, Path]:
    """Both example editions, built after the national book (sharing its execution cache)."""
    assert built_book.returncode == 0, "the national book must build first"
    national = _digest(ROOT / "_toc.yml", ROOT / "_config.yml")
    cache = built_book.html_dir.parent / ".jupyter_cache"
    out = {name: editions.build(path, tmp_path_factory.mktemp(name), cache=cache)
           for name, path in EXAMPLES.items()}
    assert _digest(ROOT / "_toc.yml", ROOT / "_config.yml") == national
    return out


def test_editions_build_and_differ_as_their_files_say(built_editions: dict[str, Path]) -> None:
    north, otter = built_editions["northmere-fells"], built_editions["otterholt"]
    north_home = (north / "editions" / "_pages" / "northmere-fells" / "index.html").read_text()
    otter_home = (otter / "editions" / "_pages" / "otterholt" / "index.html").read_text()
    assert "Safer Care, Northmere Fells edition" in north_home
    assert "Ambleworth Rowan Unit" in north_home and "Otterbeck Rowan Unit" in otter_home
    assert (north / "editions" / "_pages" / "northmere-fells" / "priorities.html").is_file()
    assert not (otter / "editions" / "_pages" / "otterholt" / "priorities.html").exists()
    # Each edition's own order of parts shows in its menu.
    def captions(html: str) -> list[str]:
        return re.findall(r'<p aria-level="2" class="caption" role="heading">'
                          r'<span class="caption-text">\s*(.*?)\s*</span>', html)
    north_parts, otter_parts = captions(north_home), captions(otter_home)
    assert north_parts[:3] == ["Our priorities", "Start here", "Measurement for improvement"]
    assert north_parts[3] == "Patients and priorities"
    assert otter_parts[2] == "Learning from other industries"


@pytest.fixture(scope="module")
def edition_server(built_editions: dict[str, Path]) -> Iterator[dict[str, str]]:
    servers, urls = [], {}
    for name, folder in built_editions.items():
        port = free_port()
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port(port)
        urls[name] = f"http://127.0.0.1:{port}/"
    yield urls
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


EDITION_PAGES = [("northmere-fells", "index"), ("northmere-fells", "priorities"),
                 ("otterholt", "index")]


@pytest.mark.browser
@pytest.mark.parametrize(("name", "page_name"), EDITION_PAGES)
def test_edition_pages_are_offline_and_accessible(name: str, page_name: str,
                                                  edition_server: dict[str, str],
                                                  offline_page: WatchedPage) -> None:
    """One page per test: axe itself fetches style sheets, which would be charged to the
    next page opened in the same browser tab."""
    from test_browser import axe_findings, open_page

    page = open_page(offline_page, edition_server[name], f"editions/_pages/{name}/{page_name}")
    problems = offline_page.problems() + axe_findings(page)
    assert not problems, f"{name} {page_name}:\n" + "\n".join(problems)
