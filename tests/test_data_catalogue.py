"""The course datasets load with the types datapackage.json declares; messy ones never quietly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from safercare import data
from safercare.data import DataError

PACKAGE = json.loads((data.datasets_dir() / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
CLEAN = [name for name, r in RESOURCES.items() if not r.get("messy")]
MESSY = [name for name, r in RESOURCES.items() if r.get("messy")]
#: How a learner would chart each messy dataset (the lesson on data quality does this).
MESSY_CHART = {
    "falls_messy": dict(date="month", numerator="falls", denominator="occupied_bed_days",
                        chart="u"),
    "sepsis_screening_messy": dict(date="month", numerator="patients_screened",
                                   denominator="patients_eligible", chart="p"),
}


def expected_kind(field: dict, column: pd.Series) -> str:
    kind = field["type"]
    if kind == "integer":
        return "Int64" if column.isna().any() else "int64"
    if kind == "number":
        return "float64"
    if kind in ("date", "datetime"):
        return "datetime64"
    if kind == "boolean":
        return "boolean" if column.isna().any() else "bool"
    return "string"


def test_there_are_clean_and_messy_datasets():
    assert len(CLEAN) >= 10
    assert set(MESSY) == set(MESSY_CHART)


@pytest.mark.parametrize("name", CLEAN)
def test_clean_dataset_has_its_declared_types(name):
    frame = data.load(name)
    resource = RESOURCES[name]
    fields = resource["schema"]["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    assert len(frame) == resource["rows"]
    for field in fields:
        column = frame[field["name"]]
        kind = expected_kind(field, column)
        if kind == "datetime64":
            assert pd.api.types.is_datetime64_any_dtype(column.dtype), field["name"]
        elif kind == "string":
            assert pd.api.types.is_string_dtype(column.dtype), field["name"]
        else:
            assert str(column.dtype) == kind, (field["name"], column.dtype)


def test_loaded_values_match_the_file_text():
    frame = data.load("falls")
    raw = data.load("falls", raw=True)
    assert frame["falls"].sum() == pd.to_numeric(raw["falls"]).sum()
    assert (frame["month"].dt.strftime("%Y-%m-%d") == raw["month"]).all()
    assert frame["month"].min() == pd.Timestamp("2022-04-01")


@pytest.mark.parametrize("name", MESSY)
def test_messy_dataset_is_never_silently_typed(name):
    with pytest.raises(DataError) as caught:
        data.load(name)
    assert "deliberately messy" in str(caught.value)
    assert any(p.row is not None for p in caught.value.problems)


def test_the_data_package_validates_with_frictionless():
    """`frictionless validate datasets/datapackage.json`, in-process: every resource, every
    row. The messy files' number columns are described as text, which is what they hold."""
    from frictionless import Package

    report = Package(str(data.datasets_dir() / "datapackage.json")).validate()
    errors = [(task.name, e.message) for task in report.tasks for e in task.errors]
    assert report.valid, errors[:5]
    for name in MESSY:
        fields = RESOURCES[name]["schema"]["fields"]
        assert {f["type"] for f in fields} <= {"string", "date"}
        assert "primaryKey" not in RESOURCES[name]["schema"]
        assert RESOURCES[name]["intended_primary_key"] == ["month"]


@pytest.mark.parametrize("name", MESSY)
def test_messy_dataset_is_checked_as_its_intended_types(name):
    """Described as text, a messy number column is still checked as the integers it should
    hold: load() reports every planted word in a number column."""
    with pytest.raises(DataError) as caught:
        data.load(name)
    found = {(p.row, p.column) for p in caught.value.problems}
    planted = {(p["row"], p["column"]) for p in RESOURCES[name]["problems"]
               if p["kind"] in ("not_a_number", "blank")}
    assert planted <= found


@pytest.mark.parametrize("name", MESSY)
def test_read_table_finds_every_planted_problem(name):
    """The planted problems (datapackage.json) are exactly what read_table reports."""
    planted = {(p["row"], p["column"]) for p in RESOURCES[name]["problems"]
               if p["kind"] != "trap"}
    with pytest.raises(DataError) as caught:
        data.read_table(data.dataset_path(name), **MESSY_CHART[name])
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == planted


@pytest.mark.parametrize("name", MESSY)
def test_raw_gives_the_text_as_it_is(name):
    raw = data.load(name, raw=True)
    assert all(pd.api.types.is_string_dtype(raw[c].dtype) or raw[c].dtype == object
               for c in raw)
    traps = [p for p in RESOURCES[name]["problems"] if p["kind"] == "trap"]
    for trap in traps:  # e.g. " 651 " with spaces, kept exactly
        assert raw[trap["column"]].iloc[trap["row"] - 2] == trap["value"]


def test_list_datasets():
    table = data.list_datasets()
    assert list(table.columns) == ["name", "title", "rows", "grain", "messy"]
    assert set(table["name"]) == set(RESOURCES)
    falls = table.set_index("name").loc["falls"]
    assert falls["rows"] == len(data.load("falls"))
    assert falls["grain"] == RESOURCES["falls"]["grain"]


def test_describe_dataset_and_answer_key():
    about = data.describe_dataset("falls")
    assert about.title == RESOURCES["falls"]["title"]
    assert list(about.fields["name"]) == [f["name"] for f in RESOURCES["falls"]["schema"]
                                          ["fields"]]
    assert "falls" in str(about) and "| column | type |" in about._repr_markdown_()
    assert about.sources
    key = data.answer_key("falls")
    assert len(key) == len(RESOURCES["falls"]["answer_key"])
    assert pd.api.types.is_datetime64_any_dtype(key["start"].dtype)
    assert data.answer_key("falls_messy").empty


def test_unknown_dataset_suggests_the_closest_name():
    with pytest.raises(ValueError, match="Did you mean 'falls'"):
        data.load("fals")


def test_missing_datasets_folder_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFERCARE_DATASETS", str(tmp_path))
    with pytest.raises(data.DatasetsNotFoundError, match="SAFERCARE_DATASETS environment"):
        data.list_datasets()


def test_a_course_file_that_breaks_its_schema_is_a_data_error(tmp_path, monkeypatch):
    package = {"name": "t", "resources": [{
        "name": "tiny", "path": "tiny.csv", "rows": 3,
        "schema": {"fields": [{"name": "month", "type": "date"},
                              {"name": "n", "type": "integer"},
                              {"name": "x", "type": "number"},
                              {"name": "ok", "type": "boolean"}]}}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (tmp_path / "tiny.csv").write_text("month,n,x,ok\n2024-01-01,1,0.5,true\n"
                                       "2024-02-01,,1.5,\n2024-03-01,3,,false\n",
                                       encoding="utf-8")
    monkeypatch.setenv("SAFERCARE_DATASETS", str(tmp_path))
    frame = data.load("tiny")
    assert str(frame["n"].dtype) == "Int64" and frame["n"].isna().tolist() == [False, True,
                                                                                False]
    assert str(frame["ok"].dtype) == "boolean"
    assert np.isnan(frame["x"].iloc[2])
    (tmp_path / "tiny.csv").write_text("month,n,x,ok\n2024-01-01,1.5,a,maybe\n",
                                       encoding="utf-8")
    with pytest.raises(DataError) as caught:
        data.load("tiny")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "n"), (2, "x"),
                                                                   (2, "ok")]
