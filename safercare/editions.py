"""Local editions of the course: one small, validated file builds a collaborative's own book.

A collaborative lead describes an edition in ``editions/<name>.yml`` (see
``editions/README.md``): its name, its welcome text, the topics its patients and staff
chose (the priority-setting tool's ranking, as a CSV of ``rank`` and ``topic``), which of the
book's optional parts to include and in what order, which of its organisations its examples
use, and its contact and launch links. ``python -m safercare.editions build FILE`` checks the
file and builds that edition as its own Jupyter Book, with the same ``-W`` check as the
national book; ``check`` only checks. The national core (the start, the measurement part and
the reference pages) is always present, and an edition only adds: it never edits a national
page, so the national book stays exactly as it is.

Every problem in a file is reported at once, each with its line, before anything is built
(:class:`~safercare.errors.DataError`).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from safercare.errors import DataError, Problem

ROOT = Path(__file__).resolve().parents[1]
#: Biggest edition file or priorities CSV read (bytes): an edition is a few dozen lines.
MAX_BYTES = 64_000
#: The parts of the national book that every edition keeps, by their ``_toc.yml`` caption.
CORE_PARTS = ("Start here", "Measurement for improvement", "Reference")
#: The fields of an edition file: name -> (required, what it is).
FIELDS: dict[str, tuple[bool, str]] = {
    "id": (True, "a short name for the edition, lower case with hyphens (e.g. northmere-fells)"),
    "name": (True, "the edition's title, shown at the top of every page"),
    "collaborative": (True, "the collaborative's id, C01 to C15"),
    "welcome": (True, "a few sentences of welcome, in plain words"),
    "modules": (True, "the optional parts to include, in order (see the list in the README)"),
    "priorities": (False, "the priority-setting tool's ranking: a CSV with rank and topic"),
    "organisations": (True, "the collaborative's organisations its examples use (org ids)"),
    "contact": (True, "who to contact about this edition (an email address)"),
    "launch": (False, "links: binder and/or hub, each an https:// address"),
}
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _slug(caption: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")


def national_parts(toc: Path | None = None) -> list[dict[str, Any]]:
    """The national book's parts (caption and chapters), read from ``_toc.yml``."""
    import yaml

    data = yaml.safe_load((toc or ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return list(data["parts"])


def optional_modules() -> dict[str, str]:
    """Module id -> caption of every part an edition may choose (all but the core)."""
    return {_slug(p["caption"]): p["caption"] for p in national_parts()
            if p["caption"] not in CORE_PARTS}


@dataclass
class Edition:
    """A checked edition file."""

    id: str
    name: str
    collaborative: str
    welcome: str
    modules: list[str]
    organisations: list[str]
    contact: str
    priorities: pd.DataFrame | None = None
    launch: dict[str, str] = field(default_factory=dict)
    source: Path | None = None


def _lines(path: Path, text: str) -> tuple[Any, dict[str, int], dict[tuple[str, int], int]]:
    """The parsed YAML and the line of each top-level key and of each list item."""
    import yaml

    node = yaml.compose(text)
    keys: dict[str, int] = {}
    items: dict[tuple[str, int], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            keys[str(key.value)] = key.start_mark.line + 1
            if isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    items[(str(key.value), i)] = item.start_mark.line + 1
    return yaml.safe_load(text), keys, items


def read_edition(path: str | Path) -> Edition:
    """Read and check an edition file; every problem at once, each with its line.

    Raises:
        DataError: naming each problem's line and field and what to do.
    """
    import yaml

    from safercare import data

    path = Path(path)
    where = path.name
    if not path.is_file():
        raise DataError(Problem(None, None, "there is no such file",
                                "check the file's name and folder"), source=where)
    if path.stat().st_size > MAX_BYTES:
        raise DataError(Problem(None, None, f"the file is larger than {MAX_BYTES // 1000} KB",
                                "an edition file is a few dozen lines: check it is the "
                                "right file"), source=where)
    try:
        text = path.read_text(encoding="utf-8")
        raw, keys, items = _lines(path, text)
    except UnicodeDecodeError:
        raise DataError(Problem(None, None, "the file is not plain text (UTF-8)",
                                "save it as plain text and try again"), source=where) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(Problem(mark.line + 1 if mark else None, None,
                                f"this is not a valid edition file "
                                f"({getattr(err, 'problem', err)})",
                                "check the indentation, and that each field is written as "
                                "`name: value`", unit="line"), source=where) from None
    if not isinstance(raw, dict):
        raise DataError(Problem(None, None, "an edition file is a list of `field: value` "
                                "lines", f"use the fields {', '.join(FIELDS)}"), source=where)
    problems: list[Problem] = []

    def problem(key: str, message: str, index: int | None = None) -> None:
        line = items.get((key, index)) if index is not None else keys.get(key)
        problems.append(Problem(line, None, f"the field '{key}': {message.rstrip('.')}",
                                "correct it in the edition file and check again",
                                unit="line"))

    for key in raw:
        if key not in FIELDS:
            problem(str(key), f"this is not an edition field. The fields are: "
                              f"{', '.join(FIELDS)}.")
    for key, (required, what) in FIELDS.items():
        if required and (raw.get(key) in (None, "", [])):
            problems.append(Problem(None, None, f"the field '{key}' is missing",
                                    f"add `{key}:` with {what}", unit="line"))

    def text_field(key: str, limit: int) -> str:
        value = raw.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            problem(key, "write this as text.")
            return ""
        if len(value) > limit:
            problem(key, f"keep this under {limit} characters (it has {len(value)}).")
        return value.strip()

    edition_id = text_field("id", 60)
    if edition_id and not _ID.match(edition_id):
        problem("id", "use lower-case letters, digits and hyphens only (e.g. northmere-fells).")
    name = text_field("name", 120)
    welcome = text_field("welcome", 3000)
    contact = text_field("contact", 200)
    if contact and not _EMAIL.match(contact):
        problem("contact", "write an email address, such as improvement@example.org.")

    geography = data.load("geography")
    collaboratives = set(geography.loc[geography["org_type"] == "collaborative", "org_id"])
    collaborative = text_field("collaborative", 10)
    if collaborative and collaborative not in collaboratives:
        problem("collaborative", f"{collaborative!r} is not one of the course's "
                                 f"collaboratives ({min(collaboratives)} to "
                                 f"{max(collaboratives)}).")

    def list_field(key: str) -> list[str]:
        value = raw.get(key) or []
        if not isinstance(value, list):
            problem(key, "write this as a list, one `- item` per line.")
            return []
        return [str(v).strip() for v in value]

    known = optional_modules()
    modules = list_field("modules")
    for i, module in enumerate(modules):
        if module not in known:
            problem("modules", f"{module!r} is not a part of the course. Choose from: "
                               f"{', '.join(known)}.", i)
        elif modules.index(module) != i:
            problem("modules", f"{module!r} is listed twice.", i)

    organisations = list_field("organisations")
    orgs = geography.set_index("org_id")
    for i, org in enumerate(organisations):
        if org not in orgs.index:
            problem("organisations", f"{org!r} is not an organisation in the course's "
                                     "geography (datasets/geography.csv).", i)
        elif collaborative and orgs.loc[org, "collaborative_id"] != collaborative:
            problem("organisations", f"{org} ({orgs.loc[org, 'org_name']}) belongs to "
                                     f"{orgs.loc[org, 'collaborative']}, not to this "
                                     f"edition's collaborative {collaborative}.", i)
        elif orgs.loc[org, "org_type"] == "collaborative":
            problem("organisations", f"{org} is the collaborative itself: list its "
                                     "hospitals, practices, units or teams.", i)

    launch = raw.get("launch") or {}
    if not isinstance(launch, dict):
        problem("launch", "write `binder:` and/or `hub:` on their own indented lines.")
        launch = {}
    for key, url in launch.items():
        if key not in ("binder", "hub"):
            problem("launch", f"{key!r} is not a launch link; use binder or hub.")
        elif not isinstance(url, str) or not url.startswith("https://") or any(
                c in url for c in "<>\"' "):
            problem("launch", f"the {key} link must be one https:// address.")

    priorities = None
    if raw.get("priorities"):
        priorities = _read_priorities(path.parent / str(raw["priorities"]), modules, known,
                                      problem)
    if problems:
        raise DataError(problems, source=where)
    return Edition(edition_id, name, collaborative, welcome, modules, organisations, contact,
                   priorities, {k: str(v) for k, v in launch.items()}, path)


def _read_priorities(path: Path, modules: Sequence[str], known: dict[str, str],
                     problem: Any) -> pd.DataFrame | None:
    """The chosen topics, each with the included pages that teach it."""
    from safercare.priorities.report import TOPIC_MODULES

    if not path.is_file():
        problem("priorities", f"there is no file {path.name} beside the edition file.")
        return None
    if path.stat().st_size > MAX_BYTES:
        problem("priorities", f"{path.name} is larger than {MAX_BYTES // 1000} KB.")
        return None
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError):
        problem("priorities", f"{path.name} is not a readable CSV file.")
        return None
    if not {"rank", "topic"} <= set(table.columns):
        problem("priorities", f"{path.name} needs the columns rank and topic (the "
                              "priority-setting tool's ranking).")
        return None
    included = _included_docnames(modules)
    teaches = []
    for row, (rank, topic) in enumerate(zip(table["rank"], table["topic"], strict=True),
                                        start=2):
        if not rank.strip().isdigit():
            problem("priorities", f"{path.name} row {row}: rank {rank!r} is not a whole "
                                  "number.")
        pages = [p for p in TOPIC_MODULES.get(topic.strip(), ()) if p in included]
        if topic.strip() not in TOPIC_MODULES:
            problem("priorities", f"{path.name} row {row}: the topic {topic!r} is not one the "
                                  "course teaches; use the tool's topic names.")
        elif not pages:
            problem("priorities", f"{path.name} row {row}: no part of this edition teaches "
                                  f"{topic!r}. Add a module that does (it is taught in "
                                  f"{', '.join(TOPIC_MODULES[topic.strip()])}).")
        teaches.append(pages)
    return table.assign(rank=pd.to_numeric(table["rank"], errors="coerce"), pages=teaches)


def _included_docnames(modules: Sequence[str]) -> set[str]:
    names: set[str] = set()
    for part in _edition_parts(modules):
        stack = list(part["chapters"])
        while stack:
            entry = stack.pop()
            names.add(entry["file"])
            stack.extend(entry.get("sections", []))
    return names


def _edition_parts(modules: Sequence[str]) -> list[dict[str, Any]]:
    """The national core in its place, then the chosen parts in the edition's order.

    The parts an edition did not choose follow, under "Also in the national course", so that
    every link between national pages still leads somewhere (an edition only adds).
    """
    parts = {_slug(p["caption"]): p for p in national_parts()}
    core = [p for p in national_parts() if p["caption"] in CORE_PARTS]
    head, tail = core[:-1], core[-1:]  # the reference part stays last
    chosen = [parts[m] for m in modules if m in parts]
    rest = [dict(p, caption=f"Also in the national course: {p['caption']}")
            for m, p in parts.items() if m not in modules and p["caption"] not in CORE_PARTS]
    return head + chosen + rest + tail


def _esc(text: str) -> str:
    """Text from an edition file, safe inside a MyST page (shown as text, never markup)."""
    return html.escape(text, quote=True).replace("{", "&#123;").replace("`", "&#96;")


def organisation_data(organisations: Sequence[str]) -> dict[str, dict[str, int]]:
    """For each organisation, the course datasets holding its rows and how many."""
    from safercare import data

    wanted = set(organisations)
    out: dict[str, dict[str, int]] = {}
    listing = data.list_datasets()
    for name in listing.loc[~listing["messy"], "name"]:
        if name == "geography":
            continue
        frame = data.load(name)
        for column in frame.columns:
            if column.endswith("_id") and column != "collaborative_id":
                counts = frame[column].astype(str).value_counts()
                for org in wanted & set(counts.index):
                    out.setdefault(org, {})[name] = int(counts[org])
    return out


def pages(edition: Edition) -> dict[str, str]:
    """The edition's own pages (file name -> MyST text): its welcome and its priorities."""
    from safercare import data

    geography = data.load("geography").set_index("org_id")
    collab = geography.loc[edition.collaborative, "org_name"]
    held = organisation_data(edition.organisations)
    orgs = "\n".join(f"- {_esc(geography.loc[o, 'org_name'])} "
                     f"({_esc(str(geography.loc[o, 'org_type']).replace('_', ' '))}): "
                     + ("; ".join(f"`{d}`, {n:,} rows" for d, n in held.get(o, {}).items())
                        or "no course dataset yet")
                     for o in edition.organisations)
    links = "\n".join(f"- [{'Open on Binder' if k == 'binder' else 'Open on the course server'}]"
                      f"({v})" for k, v in edition.launch.items())
    welcome = (f"# {_esc(edition.name)}\n\n"
               + "\n\n".join(f"<p>{_esc(p.strip())}</p>" for p in edition.welcome.split("\n\n"))
               + f"\n\nThis is the {_esc(collab)} edition of Safer Care. It holds the national "
               "course and the parts this collaborative chose, in its own order.\n\n"
               "## Our organisations\n\nThe examples chosen for this edition come from these "
               "organisations. Each is listed with the course datasets that hold its "
               "(synthetic) data, for exercises with your own organisations:\n\n"
               f"{orgs}\n\n## Contact\n\n<p>{_esc(edition.contact)}</p>\n")
    if links:
        welcome += f"\n## Open the lessons\n\n{links}\n"
    out = {"index.md": welcome}
    if edition.priorities is not None:
        rows = "\n".join(
            f"| {r.rank} | {_esc(r.topic)} | "
            + "; ".join(f"{{doc}}`/{p}`" for p in r.pages) + " |"
            for r in edition.priorities.sort_values("rank").itertuples())
        out["priorities.md"] = (
            "# Topics our patients and staff chose\n\n"
            "Patients, carers and staff in this collaborative chose these topics with the "
            "course's priority-setting tool. Each links to the parts of this edition that "
            "teach it.\n\n| Place | Topic | Where this edition teaches it |\n"
            "| ---: | --- | --- |\n" + rows + "\n")
    return out


def write_sources(edition: Edition, folder: Path | None = None,
                  cache: Path | None = None) -> tuple[Path, Path]:
    """Write the edition's pages, table of contents and configuration; return (toc, config).

    The pages go in ``editions/_pages/<id>/`` (inside the book's root, so Sphinx can read them;
    ignored by git); nothing national is touched. ``cache`` reuses a notebook execution
    cache (the national build's ``_build/.jupyter_cache``), so lessons are not run twice.
    """
    import yaml

    folder = folder or ROOT / "editions" / "_pages" / edition.id
    folder.mkdir(parents=True, exist_ok=True)
    rel = folder.relative_to(ROOT).as_posix()
    for name, text in pages(edition).items():
        (folder / name).write_text(text, encoding="utf-8")
    parts = _edition_parts(edition.modules)
    if edition.priorities is not None:
        parts = [{"caption": "Our priorities", "chapters": [{"file": f"{rel}/priorities"}]},
                 *parts]
    toc = {"format": "jb-book", "root": f"{rel}/index", "parts": parts}
    toc_path = folder / "_toc.yml"
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = edition.name
    # Local extensions are found relative to the configuration file: point at the national ones.
    sphinx = config.setdefault("sphinx", {})
    sphinx["local_extensions"] = {name: str(ROOT / where) for name, where in
                                  (sphinx.get("local_extensions") or {}).items()}
    if cache:
        config["execute"]["cache"] = str(cache)
    config_path = folder / "_config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return toc_path, config_path


def build(path: str | Path, out: str | Path | None = None, *, cache: str | Path | None = None,
          all_pages: bool = True) -> Path:
    """Check an edition file and build its book; return the folder of its HTML.

    Raises:
        DataError: if the file has problems (nothing is built).
        RuntimeError: if Jupyter Book reports a warning or an error (with its log).
    """
    edition = read_edition(path)
    if cache is None and (ROOT / "_build" / ".jupyter_cache").is_dir():
        cache = ROOT / "_build" / ".jupyter_cache"
    toc, config = write_sources(edition, cache=Path(cache) if cache else None)
    out = Path(out) if out else ROOT / "_build" / "editions" / edition.id
    cli = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"
    command = [sys.executable, "-c", cli, "build", str(ROOT), "--toc", str(toc),
               "--config", str(config), "--path-output", str(out), "-W", "--keep-going"]
    if all_pages:
        command.append("--all")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"the {edition.id} edition did not build:\n"
                           f"{(done.stdout + done.stderr)[-4000:]}")
    return out / "_build" / "html"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m safercare.editions check|build FILE [--out FOLDER]``."""
    parser = argparse.ArgumentParser(prog="python -m safercare.editions",
                                     description="Check or build a local edition of the course.")
    parser.add_argument("command", choices=["check", "build"])
    parser.add_argument("file", help="the edition file, e.g. editions/northmere-fells.yml")
    parser.add_argument("--out", help="where to build (default _build/editions/<id>)")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            edition = read_edition(args.file)
            print(f"{args.file}: fine. {len(edition.modules)} optional parts, "
                  f"{len(edition.organisations)} organisations.")
            return 0
        start = time.perf_counter()
        html_dir = build(args.file, args.out)
        print(f"built in {time.perf_counter() - start:.0f} s: {html_dir / 'index.html'}")
        return 0
    except DataError as err:
        print(err, file=sys.stderr)
        return 1
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
