"""Chart your own data: a thin upload widget over :func:`safercare.data.read_table`.

widgets → analyses → data: this module only collects choices, calls
:func:`safercare.data.read_table` and then one chart function of :mod:`safercare.spc`,
and shows either the problems found (a plain-English table) or the first chart with
its description. No checking or charting happens here.

The work is done by :func:`run_upload`, which takes the file's bytes, its name and
the choices and returns an :class:`UploadOutcome`, so it can be tested without a
browser. :func:`upload_widget` wraps it in labelled controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from safercare.data import DataError, read_table, sheet_names, table_headings
from safercare.errors import MAX_LISTED

__all__ = ["CHART_CHOICES", "UploadOutcome", "problems_table", "run_upload", "upload_widget"]

#: The charts the widget offers: (label shown to the learner, chart code).
CHART_CHOICES: list[tuple[str, str]] = [
    ("Run chart (any measure, median line)", "run"),
    ("XmR chart (individual values with limits)", "xmr"),
    ("p chart (a proportion: numerator out of denominator)", "p"),
    ("u chart (a rate: events per bed day, per 1,000 doses…)", "u"),
]
_SPC_FUNCTION = {"run": "run_chart", "xmr": "xmr", "p": "p_chart", "u": "u_chart"}
_RATIO = ("p", "u")


@dataclass
class UploadOutcome:
    """What the widget shows: either the problems or a chart (never both).

    Attributes:
        problems: one row per problem (row, column, value, problem, what to do), or
            ``None`` when the data passed every check. At most
            :data:`~safercare.errors.MAX_LISTED` problems are listed, then one row that
            counts the rest (see :func:`problems_table`).
        problem_count: how many problems were found in all.
        figure: the first chart (a matplotlib Figure), or ``None``.
        alt_text: the chart's plain-English description (its alt text).
        notes: things to know about how the file was read (e.g. rows sorted).
        data: the clean table the chart was drawn from.
    """

    problems: pd.DataFrame | None = None
    problem_count: int = 0
    figure: Any = None
    alt_text: str | None = None
    notes: list[str] = field(default_factory=list)
    data: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        """True when the data passed every check and a chart was drawn."""
        return self.problems is None


def problems_table(error: DataError, limit: int = MAX_LISTED) -> pd.DataFrame:
    """The problems of a :class:`DataError` as a table to show, blanks shown as blanks.

    A file can hold tens of thousands of problems (every row of a long column); a table
    of them all helps no one and can stall a browser. So the first ``limit`` are listed
    and one last row counts the rest ("… and 49,980 more"), as the error's own message
    does.
    """
    table = error.to_frame().iloc[:limit]
    table["row"] = table["row"].astype("Int64")
    table = table.astype(object).where(table.notna(), "")
    rest = len(error.problems) - len(table)
    if rest > 0:
        table.loc[len(table)] = ["", "", "", f"… and {rest:,} more problems",
                                 "fix the ones above first: the same fix often clears the "
                                 "rest; the full list is in the error's .problems"]
    return table


def _problems_outcome(error: DataError, notes: list[str] | None = None) -> UploadOutcome:
    return UploadOutcome(problems=problems_table(error), problem_count=len(error.problems),
                         notes=list(notes or []))


def run_upload(
    content: bytes,
    filename: str,
    *,
    chart: str,
    date: str | None = None,
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    by: str | None = None,
    sheet: str | int | None = None,
    dayfirst: bool | None = None,
    decimal: str | None = None,
    multiplier: float = 1.0,
) -> UploadOutcome:
    """Check an uploaded file for a chart, then draw the chart (or explain the problems).

    ``chart`` is ``run``, ``xmr``, ``p`` or ``u``; the other arguments are the column
    headings, as for :func:`safercare.data.read_table`. With ``by``, the first group's
    chart is drawn. ``multiplier`` scales a p or u chart (100 for a percentage, 1,000
    for a rate per 1,000 bed days).
    """
    import warnings

    if chart not in _SPC_FUNCTION:
        raise ValueError(f"chart must be one of {', '.join(_SPC_FUNCTION)}, not {chart!r}")
    roles = {"numerator": numerator, "denominator": denominator} if chart in _RATIO else {
        "value": value}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the notes are shown with the result instead
            frame = read_table(content, name=filename, sheet=sheet, date=date, by=by,
                               chart=chart, dayfirst=dayfirst, decimal=decimal, **roles)
    except DataError as error:
        return _problems_outcome(error)
    from safercare import spc  # imported here so this module works on its own

    headings = frame.attrs["columns"]
    named = frame.rename(columns={role: headings[role] for role in headings})
    arguments = {role: headings[role] for role in ("value", "numerator", "denominator")
                 if role in headings}
    if "date" in headings:
        arguments["date"] = headings["date"]
    if "group" in headings:
        arguments["by"] = headings["group"]
    if chart in _RATIO:
        arguments["multiplier"] = multiplier
    try:
        result = getattr(spc, _SPC_FUNCTION[chart])(named, **arguments)
    except DataError as error:  # the chart's own checks (e.g. too few points)
        return _problems_outcome(error, frame.attrs["notes"])
    group = None
    if "group" in headings:
        group = named[headings["group"]].iloc[0]
    figure = result.plot(group=group)
    return UploadOutcome(figure=figure, alt_text=result.describe(group=group),
                         notes=list(frame.attrs["notes"]), data=frame)


def upload_widget() -> Any:
    """A labelled upload form: choose a file, its columns and a chart; see problems or the chart.

    Every control has a visible label and a tooltip describing it (read out by screen
    readers as its description).
    """
    import ipywidgets as w
    from IPython.display import Markdown

    from safercare.widgets.display import show_in

    wide = {"description_width": "initial"}

    def layout() -> w.Layout:  # one each: a shared Layout would hide every control at once
        return w.Layout(width="auto", min_width="420px")

    none = [("(none)", None)]

    intro = w.HTML("<p><strong>Chart your own data.</strong> Choose a CSV or Excel (.xlsx) "
                   "file with a heading in row 1 above each column. Nothing is sent "
                   "anywhere and your file is not changed.</p>")
    upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Choose a file",
                          tooltip="Choose a CSV or Excel (.xlsx) file from your computer",
                          icon="upload", layout=w.Layout(width="auto"))
    sheet = w.Dropdown(options=[("(the first sheet)", None)], value=None,
                       description="Sheet (Excel files)", tooltip="Which sheet of the "
                       "workbook holds your table", style=wide, layout=layout())
    chart = w.Dropdown(options=CHART_CHOICES, value="run", description="Chart",
                       tooltip="Which chart to draw", style=wide, layout=layout())

    def dropdown(label: str, tip: str) -> w.Dropdown:
        return w.Dropdown(options=none, value=None, description=label, tooltip=tip,
                          style=wide, layout=layout())

    date = dropdown("Date column", "The column of dates, one period per row")
    value = dropdown("Value column", "The column of numbers to chart")
    numerator = dropdown("Numerator column",
                         "The column counting the events or the patients with the outcome")
    denominator = dropdown("Denominator column",
                           "The column counting everyone (or the bed days) it is out of")
    by = dropdown("Group column (optional)",
                  "Split the data into one series per group, e.g. per ward")
    dayfirst = w.Dropdown(
        options=[("Work it out (UK day first unless unclear)", None),
                 ("Day first, e.g. 31/01/2024 (UK)", True),
                 ("Month first, e.g. 01/31/2024 (US)", False)],
        value=None, description="Dates are written", tooltip="How the dates in your file "
        "are written", style=wide, layout=layout())
    decimal = w.Dropdown(
        options=[("Work it out (a point, or a comma in files separated by semicolons)", None),
                 ("Point, e.g. 8.5 (a comma separates thousands: 1,234)", "."),
                 ("Comma, e.g. 8,5 (a dot separates thousands: 1.234)", ",")],
        value=None, description="Decimal mark", tooltip="How the numbers in your file "
        "mark decimals", style=wide, layout=layout())
    per = w.Dropdown(options=[("1 (as a fraction)", 1.0), ("100 (a percentage)", 100.0),
                              ("1,000", 1000.0), ("10,000", 10000.0)], value=100.0,
                     description="Show the rate per", tooltip="Multiply each proportion "
                     "or rate, e.g. by 1,000 for falls per 1,000 bed days", style=wide,
                     layout=layout())
    run = w.Button(description="Check and chart", button_style="primary", icon="check",
                   tooltip="Check the data for this chart, then draw it",
                   layout=w.Layout(width="auto"))
    out = w.Output(layout=w.Layout(min_height="2em"))

    def current() -> tuple[bytes, str] | None:
        files = upload.value
        if not files:
            return None
        item = files[0]
        return bytes(item["content"]), str(item["name"])

    def show(*items: object) -> None:
        show_in(out, *items)

    def on_chart(_: object = None) -> None:
        ratio = chart.value in _RATIO
        value.layout.display = "none" if ratio else None
        numerator.layout.display = None if ratio else "none"
        denominator.layout.display = None if ratio else "none"
        per.layout.display = None if ratio else "none"
        per.value = 1000.0 if chart.value == "u" else 100.0

    def on_file(_: object = None) -> None:
        chosen = current()
        if chosen is None:
            return
        try:
            sheets = sheet_names(chosen[0], name=chosen[1])
        except DataError as error:
            show(Markdown("**This file cannot be used yet.** Please fix these and upload it "
                          "again:"), problems_table(error))
            return
        sheet.unobserve(on_file, names="value")
        if [value for _, value in sheet.options][1:] != sheets:
            sheet.options = [("(the first sheet)", None)] + [(n, n) for n in sheets]
            sheet.value = None
        sheet.observe(on_file, names="value")
        sheet.layout.display = None if len(sheets) > 1 else "none"
        try:
            headings = table_headings(chosen[0], name=chosen[1], sheet=sheet.value)
        except DataError as error:
            show(Markdown("**This file cannot be used yet.** Please fix these and upload it "
                          "again:"), problems_table(error))
            return
        options = none + [(h, h) for h in headings]
        for control in (date, value, numerator, denominator, by):
            control.options = options
            control.value = None
        if headings:
            date.value = headings[0]
        if len(headings) > 1:
            value.value = numerator.value = headings[1]
        if len(headings) > 2:
            denominator.value = headings[2]
        show(Markdown(f"Read **{chosen[1]}**: {len(headings)} columns. Choose the columns "
                      "and the chart, then press **Check and chart**."))

    def on_run(_: object = None) -> None:
        chosen = current()
        if chosen is None:
            show(Markdown("Choose a file first."))
            return
        outcome = run_upload(chosen[0], chosen[1], chart=chart.value, date=date.value,
                             value=value.value, numerator=numerator.value,
                             denominator=denominator.value, by=by.value,
                             dayfirst=dayfirst.value, decimal=decimal.value,
                             multiplier=per.value,
                             sheet=sheet.value)
        notes = [Markdown("\n".join(f"- {n}" for n in outcome.notes))] if outcome.notes else []
        if outcome.problems is not None:
            count = outcome.problem_count
            listed = (f" The first {MAX_LISTED} are listed." if count > MAX_LISTED else "")
            show(Markdown(f"**We found {count:,} problem{'s' if count != 1 else ''}.**"
                          f"{listed} Nothing in your file has been changed. Fix these in "
                          "your spreadsheet and upload it again:"), outcome.problems, *notes)
        else:
            show(outcome.figure, Markdown(f"**What the chart shows:** {outcome.alt_text}"),
                 *notes)

    upload.observe(on_file, names="value")
    sheet.observe(on_file, names="value")
    sheet.layout.display = "none"
    chart.observe(on_chart, names="value")
    run.on_click(on_run)
    on_chart()
    return w.VBox([intro, upload, sheet, chart, date, value, numerator, denominator, per, by,
                   dayfirst, decimal, run, out])
