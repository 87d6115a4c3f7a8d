"""The priority-setting report: ranked priorities, who took part, and which modules answer each.

:func:`priority_table` joins a ranking (the interim vote or the final workshop) to the course
modules that teach each topic, marking a topic no module answers yet as a **gap**;
:func:`participation_table` counts the people from each constituency; :func:`book_page`
writes the book page "Topics chosen with patients" from the demonstration workshop.

Run ``python -m safercare.priorities.report --book book/patients/topics-chosen.md`` to
rewrite the page, or add ``--check`` to fail (exit 1) when the committed page differs from a
fresh generation.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from safercare.priorities.scoring import CONSTITUENCY_LABELS, Ballot

__all__ = [
    "COURSE_MODULES",
    "TOPIC_MODULES",
    "WRITTEN_FOR_CHOSEN_TOPICS",
    "book_page",
    "describe_weighting",
    "main",
    "module_link",
    "module_title",
    "participation_table",
    "plot_weighting",
    "priority_table",
    "vote_code_sheet",
    "weighting_comparison",
]

#: The course's modules (lessons and parts) a priority can point to: the book's docname (the
#: page's path without its extension, as in ``_toc.yml``) and the title the page shows.
COURSE_MODULES: dict[str, str] = {
    "notebooks/01-measuring-what-matters": "Measuring what matters",
    "notebooks/02-variation-and-run-charts": "Variation and run charts",
    "notebooks/03-spc-the-making-data-count-way": "SPC the Making Data Count way",
    "notebooks/04-tampering": "Tampering",
    "notebooks/05-rare-events": "Rare events",
    "notebooks/06-comparing-fairly": "Comparing fairly, without blame",
    "notebooks/07-did-it-work": "Did it work?",
    "book/testing-changes": "Testing changes (PDSA)",
    "book/other-industries": "Learning from other industries",
    "notebooks/30-setting-priorities-with-patients": "Setting priorities with patients",
    "notebooks/40-when-a-family-says-something-is-wrong":
        'When a patient or family says "something is wrong"',
    "notebooks/41-risk-in-plain-words": "Risk in plain words",
    "notebooks/42-safe-staffing": "Safe staffing: an honest answer to the nurse's question",
}

#: The lessons written because patients, carers and staff chose their topics (issue 13):
#: the topics-chosen page says so in plain words.
WRITTEN_FOR_CHOSEN_TOPICS: tuple[str, ...] = (
    "notebooks/40-when-a-family-says-something-is-wrong",
    "notebooks/41-risk-in-plain-words",
    "notebooks/42-safe-staffing",
)

#: The one mapping of topics to lessons: which modules (docnames in
#: :data:`COURSE_MODULES`) answer each topic on the demonstration long list. A topic with no
#: module is a gap: something the course does not teach yet.
TOPIC_MODULES: dict[str, tuple[str, ...]] = {
    "Listening to patients and families who raise a concern": (
        "notebooks/40-when-a-family-says-something-is-wrong",),
    "Explaining risks and choices in plain words": ("notebooks/41-risk-in-plain-words",),
    "Safe handover when care moves between teams": ("book/testing-changes",),
    "Getting medicines right at home and after discharge": ("book/testing-changes",),
    "Caring safely for people with a learning disability or autism": (),
    "Involving patients as partners in safety work": (
        "notebooks/30-setting-priorities-with-patients",),
    "Safe care for people in a mental health crisis": (),
    "Spotting a patient who is getting worse": (
        "notebooks/01-measuring-what-matters", "notebooks/03-spc-the-making-data-count-way"),
    "Being open when things go wrong": (),
    "Preventing falls in hospital": ("notebooks/02-variation-and-run-charts",
                                     "notebooks/03-spc-the-making-data-count-way"),
    "Preventing pressure ulcers": ("notebooks/01-measuring-what-matters",
                                   "notebooks/03-spc-the-making-data-count-way"),
    "Using data to see if a change really helped": ("notebooks/02-variation-and-run-charts",
                                                    "notebooks/07-did-it-work"),
    "Testing small changes before rolling them out": ("book/testing-changes",),
    "Learning from incidents without blame": ("notebooks/06-comparing-fairly",
                                              "book/other-industries"),
    "Safe staffing and workload": ("notebooks/42-safe-staffing",),
    "Human factors and checklists from other industries": ("book/other-industries",),
    "Speaking up and feeling safe to raise a concern": ("book/other-industries",),
    "Reading board reports without overreacting": (
        "notebooks/04-tampering", "notebooks/03-spc-the-making-data-count-way"),
    "Rare but serious events such as never events": ("notebooks/05-rare-events",),
    "Preventing infections": ("notebooks/05-rare-events",),
}


def module_title(module: str) -> str:
    """The title of a module named by docname (a name that is not a docname is its own title)."""
    return COURSE_MODULES.get(module, module)


def module_link(module: str) -> str:
    """A MyST link to a module's page, with its title as the link text."""
    if module not in COURSE_MODULES:
        return html.escape(module, quote=False).replace("|", "&#124;")
    title = html.escape(COURSE_MODULES[module], quote=False).replace("`", "'")
    return f"{{doc}}`{title} </{module}>`"


def priority_table(
    ranking: pd.DataFrame,
    modules: Mapping[str, Sequence[str]] | None = None,
    *,
    top: int | None = 10,
) -> pd.DataFrame:
    """The top priorities with the modules that answer them.

    Args:
        ranking: a table with ``topic`` and ``rank`` columns, best first (the output of
            :func:`~safercare.priorities.scoring.interim_scores` or
            :func:`~safercare.priorities.scoring.aggregate_group_ranks`).
        modules: topic → modules (docnames of :data:`COURSE_MODULES`, or plain titles);
            defaults to :data:`TOPIC_MODULES`. A topic missing from the mapping or mapped to no
            module is a gap.
        top: how many priorities to keep (``None`` keeps all; ties at the cut are kept).

    Returns:
        Columns ``rank``, ``topic``, ``modules`` (titles joined by "; "), ``docnames`` (the
        modules as given, joined by "; ") and ``gap`` (bool), plus ``rank_patient_carer``
        and ``rank_staff`` when the ranking has them.
    """
    modules = TOPIC_MODULES if modules is None else modules
    table = ranking.sort_values(["rank", "topic"], kind="stable")
    if top is not None:
        table = table[table["rank"] <= top]
    keep = ["rank", "topic"] + [c for c in ("rank_patient_carer", "rank_staff") if c in table]
    out = table[keep].copy().reset_index(drop=True)
    out["modules"] = ["; ".join(module_title(m) for m in modules.get(t, ()))
                      for t in out["topic"]]
    out["docnames"] = ["; ".join(modules.get(t, ())) for t in out["topic"]]
    out["gap"] = out["modules"] == ""
    return out


def vote_code_sheet(codes: Sequence[str], title: str = "Your voting code") -> str:
    """A printable A4 page of voting-code slips (HTML), one code per slip, to cut up.

    Print it from a browser (it sets ``@page { size: A4 }``; 24 slips a page, with dashed cut
    lines); give one slip to each person who may vote. Every slip says in plain words what
    the code is for and that it works once. The codes are escaped, like any text.
    """
    slips = "".join(
        "<li class='slip'><p class='what'>" + html.escape(title) + "</p>"
        f"<p class='code'>{html.escape(code)}</p>"
        "<p>Type this code when you vote. It works once. It does not say who you are.</p></li>"
        for code in codes
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Voting codes ({len(codes)})</title><style>"
        "@page { size: A4; margin: 10mm; } body { font-family: Arial, sans-serif; margin: 0; }"
        " h1 { font-size: 14pt; margin: 0 0 4mm; }"
        " ul { list-style: none; margin: 0; padding: 0; display: grid;"
        " grid-template-columns: repeat(3, 1fr); }"
        " .slip { border: 1px dashed #000; padding: 3mm; height: 31mm; box-sizing: border-box;"
        " break-inside: avoid; font-size: 10pt; }"
        " .slip p { margin: 0 0 1.5mm; } .what { font-weight: bold; }"
        " .code { font: bold 20pt 'Courier New', monospace; letter-spacing: 1px; }"
        " @media print { h1 { display: none; } }"
        "</style></head><body><main>"
        f"<h1>{len(codes)} voting codes: print this page, cut along the dashed lines and give "
        "one slip to each person who may vote</h1>"
        f"<ul>{slips}</ul></main></body></html>\n"
    )


def participation_table(ballots: Sequence[Ballot]) -> pd.DataFrame:
    """People who voted, per constituency as they described themselves ("both" shown apart)."""
    counts = pd.Series([b.constituency for b in ballots], dtype="string").value_counts()
    return pd.DataFrame({
        "constituency": list(CONSTITUENCY_LABELS.values()),
        "people": [int(counts.get(c, 0)) for c in CONSTITUENCY_LABELS],
    })


def weighting_comparison(scores: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Each topic's place with every ballot counted once (pooled) and with equal weighting.

    Columns: ``topic``, ``rank_pooled``, ``rank`` (equal weighting), ``places_up`` (how many
    places equal weighting moves it up; negative is down), ``top_pooled`` and ``top_equal``
    (whether it is in the top ``top`` each way). Ordered by the equal-weighting rank.
    """
    out = scores[["topic", "rank_pooled", "rank"]].copy()
    out["places_up"] = out["rank_pooled"] - out["rank"]
    out["top_pooled"] = out["rank_pooled"] <= top
    out["top_equal"] = out["rank"] <= top
    return out.sort_values(["rank", "topic"], kind="stable").reset_index(drop=True)


def describe_weighting(scores: pd.DataFrame, top: int = 10) -> str:
    """Alt text for :func:`plot_weighting`: who voted, and what equal weighting changed."""
    cmp = weighting_comparison(scores, top)
    n = scores.attrs.get("respondents", {})
    joined = cmp[cmp["top_equal"] & ~cmp["top_pooled"]]["topic"].tolist()
    left = cmp[~cmp["top_equal"] & cmp["top_pooled"]]["topic"].tolist()
    pc, staff = n.get("patient_carer", 0), n.get("staff", 0)
    both = pc + staff - scores.attrs.get("people", pc + staff)
    also = f", including the {both} who are both" if both else ""
    head = (f"Places of {len(cmp)} topics when every vote counts once and when patients and "
            f"carers ({pc} people{also}) count as much as staff ({staff} people{also}).")
    if not joined:
        return head + f" The top {top} is the same both ways."
    return (head + f" With equal weighting {len(joined)} topics join the top {top}: "
            + "; ".join(joined) + ". They replace: " + "; ".join(left) + ".")


def plot_weighting(scores: pd.DataFrame, top: int = 10, ax: object = None) -> object:
    """A dumbbell chart: each topic's place pooled (grey circle) and weighted (blue square).

    Topics are listed by their place with equal weighting; a dashed line marks the top
    ``top`` cut. Shape as well as colour tells the two apart. Returns the Axes.
    """
    from safercare.style import BLUE, GREY, LIMIT_COLOUR, apply_style, new_axes

    cmp = weighting_comparison(scores, top)
    _, ax = new_axes(figsize=(9.0, 0.34 * len(cmp) + 1.6), ax=ax)
    y = range(len(cmp))
    for yi, (a, b) in zip(y, zip(cmp["rank_pooled"], cmp["rank"], strict=True), strict=True):
        ax.plot([a, b], [yi, yi], color=LIMIT_COLOUR, linewidth=1, zorder=1)
    ax.scatter(cmp["rank_pooled"], list(y), color=GREY, marker="o", s=60, zorder=3,
               edgecolors=LIMIT_COLOUR, linewidths=0.6, label="Every vote counted once")
    ax.scatter(cmp["rank"], list(y), color=BLUE, marker="s", s=60, zorder=4,
               edgecolors=LIMIT_COLOUR, linewidths=0.6, label="Each group counts equally")
    ax.axvline(top + 0.5, color=LIMIT_COLOUR, linestyle="--", linewidth=1)
    ax.set_yticks(list(y), cmp["topic"].tolist())
    ax.invert_yaxis()
    ax.set_xticks(range(1, len(cmp) + 1))
    apply_style(ax, title=f"Place of each topic (top {top} left of the dashed line)",
                xlabel="Place (1 = most important)", legend=True)
    return ax


class _Markup(str):
    """Page markup made by this module (links), written into a table cell as it is."""


def _md_row(cells: Sequence[object]) -> str:
    cells = (c if isinstance(c, _Markup) else html.escape(str(c), quote=False)
             .replace("|", "&#124;") for c in cells)
    return "| " + " | ".join(cells) + " |"


def book_page() -> str:
    """The Markdown of ``book/patients/topics-chosen.md`` from the demonstration workshop."""
    from safercare.priorities.demo import DEMO_SEED, demo_workshop

    w = demo_workshop()
    final = priority_table(w.final, top=10)
    interim = w.interim.set_index("topic")
    people = participation_table(w.ballots)
    gaps = final.loc[final["gap"], "topic"].tolist()
    lines = [
        "(patients-topics-chosen)=",
        "# Topics chosen with patients",
        "",
        "```{note}",
        "This page shows **made-up practice data**. No real person voted. It shows what the page",
        "will look like after a real workshop.",
        "```",
        "",
        "Patients, carers and staff chose these topics together. Each group counted the same,",
        "however many people came. So a small group of patients had as much say as a big group",
        "of staff.",
        "",
        "## Who took part",
        "",
        _md_row(["Who", "People who voted"]),
        _md_row(["---", "---:"]),
    ]
    lines += [_md_row(r) for r in people.itertuples(index=False)]
    lines += [
        _md_row(["Everyone", int(people["people"].sum())]),
        "",
        "People who said they were both were counted in each group.",
        "",
        "## The top 10 topics",
        "",
        "The first column is the final place from the workshop. The next two show the place",
        "each group gave it in the first vote. The last column shows the parts of the course",
        "that teach it.",
        "",
        _md_row(["Place", "Topic", "Patients and carers' place", "Staff's place",
                 "Where the course teaches it"]),
        _md_row(["---:", "---", "---:", "---:", "---"]),
    ]
    for r in final.itertuples(index=False):
        lines.append(_md_row([
            r.rank, r.topic,
            int(interim.at[r.topic, "rank_patient_carer"]),
            int(interim.at[r.topic, "rank_staff"]),
            _Markup("; ".join(module_link(m) for m in r.docnames.split("; ")))
            if r.docnames else "Not taught yet",
        ]))
    new_lessons = [
        (m, [t for t, d in zip(final["topic"], final["docnames"], strict=True)
             if m in d.split("; ")])
        for m in WRITTEN_FOR_CHOSEN_TOPICS
    ]
    new_lessons = [(m, topics) for m, topics in new_lessons if topics]
    if new_lessons:
        chosen = {t for _, topics in new_lessons for t in topics}
        lines += [
            "",
            "## What changed because of what you chose",
            "",
            f"At first the course did not teach {len(chosen)} of these topics. "
            "You chose them, so we wrote new lessons:",
            "",
        ]
        lines += [f"- {module_link(m)} teaches "
                  + " and ".join(f"*{html.escape(t, quote=False)}*" for t in topics) + "."
                  for m, topics in new_lessons]
    lines += ["", "## Gaps", ""]
    if gaps:
        lines += [f"The course does not teach {len(gaps)} of these topics yet. "
                  "We will add them:", ""]
        lines += [f"- {html.escape(t, quote=False)}" for t in gaps]
    else:
        lines += ["The course now teaches every topic in the top 10."]
    lines += [
        "",
        "## How the topics were chosen",
        "",
        "1. People sent in ideas. They did not give their name.",
        "2. We put ideas that said the same thing together.",
        "3. Each person picked up to 10 topics and put them in order.",
        "4. At a meeting, small mixed groups put the short list in order.",
        "   Then they swapped groups and did it again.",
        "5. We added up the places from the groups to get the final list.",
        "",
        f"This page was made by a computer from the practice data (seed {DEMO_SEED}).",
        "Do not edit it by hand. To make it again, run",
        "`python -m safercare.priorities.report --book book/patients/topics-chosen.md`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write (or ``--check``) the book page."""
    parser = argparse.ArgumentParser(description="Write the 'Topics chosen with patients' page.")
    parser.add_argument("--book", required=True, help="path of the Markdown page to write")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the page differs from a fresh generation")
    args = parser.parse_args(argv)
    path = Path(args.book)
    text = book_page()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date: run without --check to rewrite it.", file=sys.stderr)
            return 1
        print(f"{path} is up to date.")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
