"""``datasets/README.md``: the data package described for people rather than programs."""

from __future__ import annotations

from typing import Any

from safercare.synth.base import SYNTHETIC_NOTE, Dataset


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def _cell(value: str) -> str:
    return "(blank)" if value == "" else f"`{value}`"


def _shown(problem: dict[str, Any]) -> str:
    if problem["kind"] == "missing_period":
        return f"absent: `{problem['value']}` (row is the first after the gap)"
    return _cell(problem["value"])


def _signal_line(s: dict[str, Any]) -> str:
    where = ", ".join(f"{k} = {v}" for k, v in s["series"].items()) or "all rows"
    chart = s["chart"]["chart"].replace("_", " ")
    return (f"- **{s['id']}** ({where}): {s['kind'].replace('_', ' ')}, "
            f"{s['direction']}, from {s['start']} — {s['effect']}. Expect: "
            f"{s['meaning'].replace('_', ' ')} on a {chart}.")


def _section(ds: Dataset, size: int) -> list[str]:
    lines = [f"## {ds.title}", "",
             f"`{ds.path}` · {len(ds.frame):,} rows · {len(ds.fields)} columns · "
             f"{_size(size)} · seed {ds.seed}", "",
             ds.description, "", f"**Story.** {ds.story}", "",
             f"**Grain.** {ds.grain[:1].upper()}{ds.grain[1:]}"
             + (f" (key: {', '.join(ds.primary_key)})." if ds.primary_key else "."), "",
             "| column | type | unit | meaning |", "|---|---|---|---|"]
    lines += [f"| `{f['name']}` | {f['type']} | {f.get('unit', '')} | {f['description']} |"
              for f in ds.fields]
    if ds.sources:
        lines += ["", "**Where the rates come from.**", ""]
        lines += [f"- {s['title']} — {s['figure']}; used for {s['used_for']}."
                  for s in ds.sources]
    if ds.answer_key:
        lines += ["", "**Planted signals (the answer key).**", ""]
        lines += [_signal_line(s) for s in ds.answer_key]
    if ds.companion:
        lines += ["", f"**Answer key.** In `{ds.companion}`'s, whose planted signals "
                  "name this table's cycles."]
    if ds.messy:
        lines += ["", "**Planted problems.** Row numbers are as Excel shows them (the "
                  "header is row 1).", "", "| row | column | kind | cell |",
                  "|---|---|---|---|"]
        lines += [f"| {p['row']} | `{p['column']}` | {p['kind'].replace('_', ' ')} | "
                  f"{_shown(p)} |" for p in ds.problems if p["kind"] != "trap"]
        traps = [p for p in ds.problems if p["kind"] == "trap"]
        if traps:
            lines += ["", "Cells that look odd but are fine (a loader must read them, not "
                      "report them): " + "; ".join(
                          f"row {p['row']}, `{p['column']}`: {_cell(p['value'])} reads as "
                          f"{p['reads_as']:g}" for p in traps) + "."]
    return lines + [""]


def readme(sets: list[Dataset], files: dict[str, bytes]) -> str:
    """The README text, generated so it always matches the data."""
    total = sum(len(files[ds.path]) for ds in sets)
    lines = [
        "# Safer Care course datasets", "",
        f"**{SYNTHETIC_NOTE}** Every number here was made by a seeded computer "
        "program for teaching. The country, its 15 collaboratives and every trust, ward, "
        "practice and service are fictional; no name belongs to a real organisation.", "",
        "The rates are realistic: each dataset says which published figures its rates are "
        "based on, and where a rate is only illustrative it says so. Each dataset also "
        "has an *answer key*: the signals planted on purpose (which series, from when, "
        "what kind), so exercises can check your charts.", "",
        "- Machine-readable description: `datapackage.json` (Frictionless Data Package: "
        "every column's type, unit and meaning, the seed, the story, the sources and the "
        "answer key).",
        "- Load a dataset with its types: `safercare.data.load(\"falls\")`.",
        "- Regenerate this folder byte for byte: `python -m safercare.synth`; check it is "
        "up to date: `python -m safercare.synth --check`.",
        "- Licence: CC-BY-4.0.", "",
        "**Reading an answer key.** Each planted signal names its *series* (the rows to "
        "keep, e.g. one ward), the *start* date of the change, its *kind* (shift, trend, "
        "outlier, longer gaps between events …), the *direction* the data moves, and "
        "the *meaning* a correct chart should reach (improvement, concern or special "
        "cause). `datapackage.json` also gives the exact chart and settings that find "
        "it, as arguments of `safercare.spc` (for example a u chart of falls per "
        "occupied bed day with limits fixed on the months before the start). The "
        "seeds were chosen so that no planted series shows a signal of the planted kind "
        "before its start date.", "",
        f"{len(sets)} datasets, {total / 1024:.0f} KB of CSV in all.", "",
        "| dataset | rows | size | grain |", "|---|---|---|---|",
    ]
    lines += [f"| [{ds.name}](#{_anchor(ds.title)}) | {len(ds.frame):,} | "
              f"{_size(len(files[ds.path]))} | {ds.grain} |" for ds in sets]
    lines.append("")
    for ds in sets:
        lines += _section(ds, len(files[ds.path]))
    return "\n".join(lines)


def _anchor(title: str) -> str:
    keep = "".join(c for c in title.lower() if c.isalnum() or c in " -")
    return keep.replace(" ", "-")
