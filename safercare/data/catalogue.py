"""The course datasets: find them, list them, describe them and load them with their types.

The datasets live in ``datasets/`` at the top of the course repository, described by
``datasets/datapackage.json`` (a Frictionless Data Package, v1). Each resource's
``schema.fields`` declares every column's type; :func:`load` returns the table with
exactly those types:

=========== ===================================================================
declared    pandas dtype
=========== ===================================================================
integer     ``int64``, or nullable ``Int64`` when the column has missing values
number      ``float64`` (missing values are NaN)
string      pandas string (missing values are NA)
date        ``datetime64`` (day precision)
datetime    ``datetime64``
boolean     ``bool``, or nullable ``boolean`` when the column has missing values
other       kept as text
=========== ===================================================================

Deliberately messy datasets (``"messy": true`` in their metadata) are for the lessons
on data quality, so :func:`load` never types them quietly. It reads them exactly as a
learner's own file would be read (:func:`safercare.data.read_table`, with the columns
and chart named in the resource's ``read_table`` hint or its answer key) and raises
the resulting :class:`~safercare.errors.DataError`. ``load(name, raw=True)`` gives
any dataset's text exactly as it is in the file, and :func:`dataset_path` its path, so
you can read it yourself.

The folder is found next to the package (``safercare/`` and ``datasets/`` share a
parent in the repository, as in the course's editable install). A plain ``pip install``
of the package carries its own copy, installed as ``safercare_datasets``, which is used
when there is no repository beside it. ``SAFERCARE_DATASETS`` (a folder's path) overrides
both.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from safercare import checks
from safercare.errors import DataError, Problem

__all__ = [
    "DatasetDescription",
    "DatasetsNotFoundError",
    "answer_key",
    "dataset_path",
    "datasets_dir",
    "describe_dataset",
    "list_datasets",
    "load",
]

#: Environment variable that points at the datasets folder (overrides the default).
DATASETS_ENV = "SAFERCARE_DATASETS"
_CHART_FUNCTIONS = {"xmr": "xmr", "run_chart": "run", "p_chart": "p", "u_chart": "u",
                    "c_chart": "c", "g_chart": "g", "t_chart": "t"}


class DatasetsNotFoundError(FileNotFoundError):
    """The course datasets folder is not where the package expects it."""


def datasets_dir() -> Path:
    """The folder holding ``datapackage.json`` and the course CSVs.

    ``$SAFERCARE_DATASETS`` if set, else ``datasets/`` beside the ``safercare``
    package (the repository root in a clone or an editable install).
    """
    override = os.environ.get(DATASETS_ENV)
    folder = Path(override) if override else Path(__file__).resolve().parents[2] / "datasets"
    if not override and not (folder / "datapackage.json").is_file():
        folder = _installed_datasets() or folder
    if not (folder / "datapackage.json").is_file():
        raise DatasetsNotFoundError(
            f"The course datasets were not found: there is no datapackage.json in {folder}. "
            "They come with the course repository and with 'pip install' of the package: "
            "reinstall it, or set the "
            f"{DATASETS_ENV} environment variable to the folder that holds datapackage.json."
        )
    return folder


def _installed_datasets() -> Path | None:
    """The copy of the datasets that a plain ``pip install`` puts beside the package."""
    try:
        spec = importlib.util.find_spec("safercare_datasets")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=8)
def _package(folder: str, stamp: float) -> dict[str, Any]:
    with open(Path(folder) / "datapackage.json", encoding="utf-8") as handle:
        return json.load(handle)


def _datapackage() -> tuple[Path, dict[str, Any]]:
    folder = datasets_dir()
    stamp = (folder / "datapackage.json").stat().st_mtime
    return folder, _package(str(folder), stamp)


def _resource(name: str) -> tuple[Path, dict[str, Any]]:
    folder, package = _datapackage()
    resources = {r["name"]: r for r in package.get("resources", [])}
    if name not in resources:
        close = difflib.get_close_matches(str(name), list(resources), n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"There is no course dataset called '{name}'.{hint} "
                         "list_datasets() shows them all.")
    return folder, resources[name]


def dataset_path(name: str) -> Path:
    """The path of a course dataset's file, e.g. to read it with :func:`read_table`."""
    folder, resource = _resource(name)
    return folder / resource["path"]


def _is_messy(resource: dict[str, Any]) -> bool:
    return bool(resource.get("messy", False))


def _count_rows(path: Path) -> int:
    """Data rows in a CSV written by the generators (no line breaks inside cells)."""
    with path.open("rb") as handle:
        content = handle.read()
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)
    return max(lines - 1, 0)


def list_datasets() -> pd.DataFrame:
    """A table of the course datasets: name, title, rows, grain and whether it is messy."""
    folder, package = _datapackage()
    records = [
        {
            "name": r["name"],
            "title": r.get("title", ""),
            "rows": int(r["rows"]) if "rows" in r else _count_rows(folder / r["path"]),
            "grain": r.get("grain", ""),
            "messy": _is_messy(r),
        }
        for r in package.get("resources", [])
    ]
    return pd.DataFrame(records, columns=["name", "title", "rows", "grain", "messy"])


@dataclass(frozen=True)
class DatasetDescription:
    """What the data package says about one dataset, ready to read in a notebook."""

    name: str
    title: str
    description: str
    story: str
    grain: str
    messy: bool
    licence: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    fields: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [self.title or self.name, "", self.description]
        if self.story:
            lines += ["", self.story]
        lines += ["", f"Grain: {self.grain}." if self.grain else ""]
        if self.messy:
            lines.append("This dataset is deliberately messy, for practising data checks.")
        lines += ["", "Columns:"]
        for row in self.fields.itertuples(index=False):
            unit = f" ({row.unit})" if row.unit else ""
            lines.append(f"- {row.name} [{row.type}]{unit}: {row.description}")
        return "\n".join(line for line in lines if line is not None)

    def _repr_markdown_(self) -> str:
        parts = [f"**{self.title or self.name}** (`{self.name}`)", "", self.description]
        if self.story:
            parts += ["", self.story]
        if self.grain:
            parts += ["", f"*Grain:* {self.grain}."]
        if self.messy:
            parts += ["", "*This dataset is deliberately messy, for practising data checks.*"]
        parts += ["", "| column | type | unit | meaning |", "|---|---|---|---|"]
        parts += [f"| {r.name} | {r.type} | {r.unit} | {r.description} |"
                  for r in self.fields.itertuples(index=False)]
        return "\n".join(parts)


def _licence(resource: dict[str, Any], package: dict[str, Any]) -> str:
    licences = resource.get("licenses") or package.get("licenses") or []
    return ", ".join(str(x.get("title") or x.get("name") or "") for x in licences)


def describe_dataset(name: str) -> DatasetDescription:
    """Title, description, story, grain, licence, sources and columns of a course dataset."""
    _, package = _datapackage()
    _, resource = _resource(name)
    fields = resource.get("schema", {}).get("fields", [])
    table = pd.DataFrame(
        {
            "name": [f["name"] for f in fields],
            "type": [f.get("type", "string") for f in fields],
            "unit": [f.get("unit", "") for f in fields],
            "description": [f.get("description", "") for f in fields],
        }
    )
    return DatasetDescription(
        name=resource["name"],
        title=resource.get("title", ""),
        description=resource.get("description", ""),
        story=resource.get("story", ""),
        grain=resource.get("grain", ""),
        messy=_is_messy(resource),
        licence=_licence(resource, package),
        sources=list(resource.get("base_rate_sources") or resource.get("sources") or []),
        fields=table,
        metadata=resource,
    )


def answer_key(name: str) -> pd.DataFrame:
    """The planted signals of a dataset (one row each), for checking exercises.

    Columns are whatever the data package records (e.g. id, series, measure, start,
    kind, direction, meaning, effect, chart); ``start`` is a datetime. Empty when
    nothing was planted.
    """
    _, resource = _resource(name)
    table = pd.DataFrame(resource.get("answer_key", []) or resource.get("answerKey", []))
    if "start" in table:
        table["start"] = pd.to_datetime(table["start"], format="ISO8601")
    return table


# --------------------------------------------------------------------------- typing


def _missing_values(resource: dict[str, Any]) -> list[str]:
    return list(resource.get("schema", {}).get("missingValues", [""]))


def _typed_column(text: pd.Series, spec: dict[str, Any], missing: list[str]
                  ) -> tuple[object, list[Problem]]:
    """One column typed as its schema field declares, with problems for values that do not fit."""
    kind = spec.get("type", "string")
    column = spec["name"]
    blank = text.isin(missing) | text.isna()
    values = text.where(~blank, "")
    kw = {"first_row": 2, "unit": "row"}
    if kind in ("integer", "number"):
        numbers, problems = checks.as_numbers(values, column, **kw)
        if kind == "number":
            return numbers, problems
        fractional = ~np.isnan(numbers) & (np.mod(np.nan_to_num(numbers), 1) != 0)
        problems += [Problem(int(r), column, "this should be a whole number",
                             "check the value", value=str(text.iloc[r - 2]), unit="row")
                     for r in np.flatnonzero(fractional) + 2]
        if np.isnan(numbers).any():
            return pd.array(np.where(np.isnan(numbers), None, numbers), dtype="Int64"), problems
        return numbers.astype(np.int64), problems
    if kind in ("date", "datetime"):
        pattern = spec.get("format", "default")
        if pattern in ("default", "any", None) or "%" not in str(pattern):
            dates, problems = checks.as_dates(values, column, allow_missing=True, **kw)
        else:
            parsed = pd.to_datetime(values.where(~blank), format=pattern, errors="coerce")
            bad = (parsed.isna() & ~blank).to_numpy(bool)
            problems = [Problem(int(r), column, f"this does not match the date format {pattern}",
                                "check the value", value=str(text.iloc[r - 2]), unit="row")
                        for r in np.flatnonzero(bad) + 2]
            dates = parsed.to_numpy(dtype="datetime64[us]")
        return dates, problems
    if kind == "boolean":
        true = set(spec.get("trueValues", ["true", "True", "TRUE", "1"]))
        false = set(spec.get("falseValues", ["false", "False", "FALSE", "0"]))
        is_true, is_false = values.isin(true), values.isin(false)
        bad = (~is_true & ~is_false & ~blank).to_numpy(bool)
        problems = [Problem(int(r), column, "this is not true or false", "check the value",
                            value=str(text.iloc[r - 2]), unit="row")
                    for r in np.flatnonzero(bad) + 2]
        if blank.any():
            return pd.array(is_true.where(~blank, None), dtype="boolean"), problems
        return is_true.to_numpy(bool), problems
    return pd.array(text.where(~blank, None), dtype="string"), []


def _read_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _learner_hint(resource: dict[str, Any]) -> dict[str, Any] | None:
    """How a learner would read this messy file: the resource's hint or its answer key."""
    hint = resource.get("read_table")
    if isinstance(hint, dict):
        return dict(hint)
    for signal in resource.get("answer_key", []) or []:
        chart = dict(signal.get("chart") or {})
        kind = _CHART_FUNCTIONS.get(str(chart.get("chart")))
        if kind:
            out = {k: chart[k] for k in ("date", "value", "numerator", "denominator")
                   if k in chart}
            return {**out, "chart": kind}
    return None


def _learner_check(text: pd.DataFrame, fields: list[dict[str, Any]]) -> list[Problem]:
    """Check a messy file column by column, as a learner's file would be checked.

    Each column is checked as the type it is meant to have (``intended_type``, or its
    declared ``type``).

    Numbers must be filled in and be numbers (whole and not negative for integers);
    dates must be readable (day first unless the declared format is month first) and
    the first date column must form a regular series without duplicates or gaps.
    """
    kw = {"first_row": 2, "unit": "row"}
    problems: list[Problem] = []
    dated = False
    for spec in fields:
        # A messy file's columns are described as text; intended_type is what they
        # should hold once fixed (see safercare.synth.messy).
        column = spec["name"]
        kind = spec.get("intended_type", spec.get("type", "string"))
        if column not in text:
            continue
        if kind in ("integer", "number"):
            numbers, found = checks.as_numbers(text[column], column, allow_missing=False, **kw)
            problems += found
            if kind == "integer":
                problems += checks.check_counts(numbers, column, **kw)
        elif kind in ("date", "datetime"):
            dayfirst = not str(spec.get("format", "")).startswith("%m")
            dates, found = checks.as_dates(text[column], column, dayfirst=dayfirst, **kw)
            problems += found
            if not dated and not found:
                dated = True
                frequency = checks.infer_frequency(dates)
                problems += checks.check_periods(dates, column, frequency=frequency, **kw)
    return sorted(problems, key=lambda p: p.row or 0)


def load(name: str, *, raw: bool = False) -> pd.DataFrame:
    """A course dataset as a DataFrame with the types its schema declares.

    Args:
        name: the dataset's name, as in :func:`list_datasets`.
        raw: give every cell as the text in the file (no typing, no checks); for
            looking at a messy dataset as it is.

    Raises:
        DataError: for a deliberately messy dataset (listing its problems, exactly as
            for your own file), or if a course file does not match its schema.
        ValueError: if there is no dataset of that name.
        DatasetsNotFoundError: if the datasets folder is missing.
    """
    folder, resource = _resource(name)
    path = folder / resource["path"]
    if raw:
        return _read_text(path)
    if _is_messy(resource):
        from safercare.data.table import read_table

        hint = _learner_hint(resource)
        if hint is not None:
            return read_table(path, name=resource["path"], **hint)
        found = _learner_check(_read_text(path), resource.get("schema", {}).get("fields", []))
        found.append(Problem(
            None, None, "this dataset is deliberately messy, so it is not loaded with types",
            f"use load('{name}', raw=True) to see it as it is, or read_table(dataset_path("
            f"'{name}'), ...) with your chart to check it as you would your own file"))
        raise DataError(found, source=resource["path"])
    text = _read_text(path)
    fields = resource.get("schema", {}).get("fields", [])
    missing = _missing_values(resource)
    declared = [f["name"] for f in fields]
    if list(text.columns) != declared:
        raise DataError(Problem(1, None, f"the columns {list(text.columns)} do not match the "
                                f"schema {declared}", "regenerate the datasets with "
                                "'python -m safercare.synth'"), source=resource["path"])
    columns: dict[str, object] = {}
    problems: list[Problem] = []
    for spec in fields:
        values, found = _typed_column(text[spec["name"]], spec, missing)
        columns[spec["name"]] = values
        problems += found
    if problems:
        raise DataError(problems, source=resource["path"])
    frame = pd.DataFrame(columns)
    frame.attrs.update(name=name, title=resource.get("title", ""), source=resource["path"])
    return frame
