"""The synthetic datasets: reproducible to the byte, a valid data package, realistic, fictional.

* Regeneration uses the same code path as ``python -m safercare.synth --check`` and must
  match the committed ``datasets/`` byte for byte; ``--check`` must notice a change.
* The data package is validated with the ``frictionless`` library. The clean resources
  are validated fully (schema, types, every row). The two messy resources are *meant*
  to fail type checks, so they are validated at package-metadata level only, and then
  their type errors are compared with the planted problems they list.
* Realism: headline rates fall within the published ranges the metadata cites.
* Fiction: no string cell in any CSV contains a real NHS organisation or region word.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frictionless import Package, Resource

from safercare.synth import GENERATORS, build, check, geography
from safercare.synth.__main__ import main
from safercare.synth.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
CLEAN = [name for name, r in RESOURCES.items() if not r.get("messy")]
MESSY = [name for name, r in RESOURCES.items() if r.get("messy")]


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return build()


def read(name: str) -> pd.DataFrame:
    fields = RESOURCES[name]["schema"]["fields"]
    dates = [f["name"] for f in fields if f["type"] in ("date", "datetime")]
    return pd.read_csv(DATASETS / RESOURCES[name]["path"], parse_dates=dates)


# ------------------------------------------------------------------ reproducibility
def test_committed_datasets_match_a_fresh_build(files: dict[str, bytes]) -> None:
    assert check(DATASETS, files) == []


def test_write_into_a_new_folder_gives_the_same_bytes(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in DATASETS.iterdir() if not p.name.startswith("."))
    assert written == committed
    for name in written:
        assert (tmp_path / name).read_bytes() == (DATASETS / name).read_bytes(), name


def test_check_passes_on_the_committed_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_names_a_changed_a_missing_and_an_extra_file(
        tmp_path: Path, files: dict[str, bytes], capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "datasets"
    shutil.copytree(DATASETS, folder)
    data = bytearray((folder / "falls.csv").read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")   # one digit changed
    (folder / "falls.csv").write_bytes(bytes(data))
    (folder / "mortality.csv").unlink()
    (folder / "notes.txt").write_text("mine")
    assert check(folder, files) == ["falls.csv: differs from what the generator makes",
                                    "mortality.csv: missing",
                                    "notes.txt: not made by the generator"]
    assert main(["--check", "--out", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "falls.csv" in err and "mortality.csv" in err and "3 file(s)" in err


def test_csv_files_use_unix_line_endings_and_utf8(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        assert b"\r" not in data, name
        data.decode("utf-8")


def test_datasets_folder_stays_small() -> None:
    total = sum(p.stat().st_size for p in DATASETS.iterdir())
    assert total < 4 * 1024 * 1024, f"{total / 1e6:.1f} MB"


# -------------------------------------------------------------- the data package
def test_package_metadata_is_valid_including_messy_resources() -> None:
    report = Package.validate_descriptor(PACKAGE)
    assert report.valid, [e.message for e in report.errors]


def test_package_metadata_validation_can_fail() -> None:
    broken = json.loads(json.dumps(PACKAGE))
    broken["resources"][0]["schema"]["fields"][0]["type"] = "banana"
    assert not Package.validate_descriptor(broken).valid


@pytest.mark.parametrize("name", CLEAN)
def test_clean_resource_validates_fully(name: str) -> None:
    report = Resource(RESOURCES[name], basepath=str(DATASETS)).validate()
    errors = [e.message for task in report.tasks for e in task.errors]
    assert report.valid, errors[:5]


@pytest.mark.parametrize("name", MESSY)
def test_messy_resource_errors_are_exactly_its_listed_problems(name: str) -> None:
    """Described as published (number columns as text, no key) a messy file is valid; with
    its intended types and key, Frictionless finds the words in number columns and the
    repeated month exactly where the answer key says (blanks, gaps and zero denominators
    are not type errors, so they are left to :mod:`safercare.data`)."""
    published = RESOURCES[name]
    assert Resource(published, basepath=str(DATASETS)).validate().valid
    intended = json.loads(json.dumps(published))
    for spec in intended["schema"]["fields"]:
        spec["type"] = spec.pop("intended_type", spec["type"])
    intended["schema"]["primaryKey"] = intended["intended_primary_key"]
    report = Resource(intended, basepath=str(DATASETS)).validate()
    errors = [e for task in report.tasks for e in task.errors]
    assert {e.type for e in errors} == {"type-error", "primary-key"}
    problems = RESOURCES[name]["problems"]
    found = {(e.row_number, e.field_name) for e in errors if e.type == "type-error"}
    assert found == {(p["row"], p["column"]) for p in problems if p["kind"] == "not_a_number"}
    repeated = {e.row_number for e in errors if e.type == "primary-key"}
    assert repeated == {p["row"] for p in problems if p["kind"] == "duplicate_period"}


def test_every_resource_carries_the_required_metadata() -> None:
    assert PACKAGE["licenses"][0]["name"] == "CC-BY-4.0"
    assert PACKAGE["sources"]
    for r in PACKAGE["resources"]:
        for key in ("name", "path", "title", "description", "format", "mediatype",
                    "encoding", "schema", "story", "seed", "grain", "base_rate_sources",
                    "answer_key", "licenses"):
            assert key in r, (r["name"], key)
        assert r["synthetic"] is True
        assert "Synthetic — not real patient data" in r["synthetic_statement"]
        assert "Synthetic — not real patient data" in r["description"]
        assert (r["format"], r["mediatype"], r["encoding"]) == ("csv", "text/csv", "utf-8")
        for f in r["schema"]["fields"]:
            assert f["type"] in {"integer", "number", "string", "date", "datetime",
                                 "boolean"}, (r["name"], f)
            assert f["description"]
        if r["name"] != "geography":
            assert r["base_rate_sources"], r["name"]
        if not r.get("messy"):
            assert r["schema"]["primaryKey"], r["name"]   # the grain, checked above
        header = (DATASETS / r["path"]).read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == [f["name"] for f in r["schema"]["fields"]]
        assert r["rows"] == len(pd.read_csv(DATASETS / r["path"], dtype=str))


def test_answer_key_entries_are_complete_and_dated() -> None:
    for r in PACKAGE["resources"]:
        for s in r["answer_key"]:
            for key in ("id", "series", "measure", "start", "kind", "direction",
                        "meaning", "effect", "chart", "aggregate", "strict", "expect"):
                assert key in s, (r["name"], key)
            pd.Timestamp(s["start"])
            assert s["meaning"] in {"improvement", "concern", "special_cause",
                                    "common_cause"}
            frame = read(r["name"])
            for column, value in s["series"].items():
                assert frame[column].isin(value if isinstance(value, list)
                                          else [value]).any(), (s["id"], column)


def test_every_cited_source_is_in_the_book_references() -> None:
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = {src["key"] for r in PACKAGE["resources"] for src in r["base_rate_sources"]}
    keys.discard("illustrative")
    missing = [k for k in sorted(keys) if not re.search(r"@\w+\{" + re.escape(k) + ",", bib)]
    assert missing == []
    assert keys <= set(SOURCES)


def test_messy_problems_point_at_the_cells_they_describe() -> None:
    for name in MESSY:
        resource = RESOURCES[name]
        lines = (DATASETS / resource["path"]).read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        cells = {(i + 1, col): value for i, line in enumerate(lines)
                 for col, value in zip(header, line.split(","), strict=True)}
        kinds = {p["kind"] for p in resource["problems"]}
        assert {"blank", "not_a_number", "duplicate_period", "missing_period",
                "zero_denominator"} <= kinds
        dates = pd.to_datetime(pd.Series([cells[(k, "month")]
                                          for k in range(2, len(lines) + 1)]),
                               format="%d/%m/%Y")
        for p in resource["problems"]:
            if p["kind"] == "missing_period":
                assert pd.Timestamp(p["period"]) not in set(dates)
                assert dates.iloc[p["row"] - 2] > pd.Timestamp(p["period"])
            elif p["kind"] == "duplicate_period":
                assert (dates == pd.Timestamp(p["period"])).sum() == 2
            else:
                assert cells[(p["row"], p["column"])] == p["value"], p
        # apart from the planted problems, the months are complete and in order
        expected = pd.date_range(dates.min(), dates.max(), freq="MS")
        missing = {pd.Timestamp(p["period"]) for p in resource["problems"]
                   if p["kind"] == "missing_period"}
        assert set(expected) - set(dates) == missing


# ------------------------------------------------------------------------ realism
def test_falls_rate_matches_the_national_figure() -> None:
    falls = read("falls")
    rate = 1000 * falls["falls"].sum() / falls["occupied_bed_days"].sum()
    assert 5.5 <= rate <= 7.5          # NHS Improvement 2017: 6.63 per 1,000 OBD
    by_ward = falls.groupby("ward_id")[["falls", "occupied_bed_days"]].sum()
    ward_rate = 1000 * by_ward["falls"] / by_ward["occupied_bed_days"]
    assert ward_rate.between(1.5, 15).all()   # Healey et al. 2008: 3 to 14
    harm = falls[[c for c in falls if c.startswith("falls_")]].sum()
    assert harm.sum() == falls["falls"].sum()
    assert 0.55 <= harm["falls_no_harm"] / harm.sum() <= 0.8


def test_harm_free_care_matches_the_safety_thermometer() -> None:
    hf = read("harm_free_care").sum(numeric_only=True)
    share = hf / hf["patients_surveyed"]
    assert 0.92 <= share["patients_harm_free"] <= 0.96      # HSCIC 2014: ~94%
    assert 0.035 <= share["pressure_ulcers_any"] <= 0.055
    assert 0.005 <= share["pressure_ulcers_new"] <= 0.015
    assert share["pressure_ulcers_new"] < share["pressure_ulcers_any"]


def test_medication_incident_mix_matches_the_nrls_review() -> None:
    med = read("medication_incidents")
    total = med["incidents"].sum()
    harmed = total - med["no_harm"].sum()
    assert 0.13 <= harmed / total <= 0.19                        # Cousins 2012: 16%
    omitted = med.loc[med["incident_type"] == "omitted_or_delayed", "incidents"].sum()
    assert 0.13 <= omitted / total <= 0.18                       # 16%
    assert (med[["no_harm", "low_harm", "moderate_harm", "severe_harm",
                 "death"]].sum(axis=1) == med["incidents"]).all()


def test_mortality_is_calibrated_nationally_and_declines() -> None:
    mort = read("mortality").groupby("quarter")[["deaths", "expected_deaths",
                                                  "admissions"]].sum()
    ratio = mort["deaths"] / mort["expected_deaths"]
    assert ratio.between(0.97, 1.03).all()                      # SHMI: about 1
    crude = (mort["deaths"] / mort["admissions"]).to_numpy()
    assert crude[-4:].mean() < crude[:4].mean() * 0.95


def test_checklist_rates_match_haynes_2009() -> None:
    sc = read("surgical_checklist")
    after = sc["week"] >= "2023-10-02"
    for part, lo_hi in ((~after, (0.095, 0.125)), (after, (0.06, 0.08))):
        rows = sc[part]
        rate = rows["major_complications"].sum() / rows["operations"].sum()
        assert lo_hi[0] <= rate <= lo_hi[1]


def test_nuclear_plants_are_mostly_in_the_green_band() -> None:
    nuc = read("nuclear_scrams").groupby("plant_id")[["unplanned_scrams",
                                                      "critical_hours"]].sum()
    rate = 7000 * nuc["unplanned_scrams"] / nuc["critical_hours"]
    assert (rate <= 3.0).sum() >= len(rate) - 1                 # NEI 99-02 green band


def test_counts_are_whole_non_negative_and_numerators_fit_denominators() -> None:
    pairs = {"sepsis_screening": ("patients_screened", "patients_eligible"),
             "gp_prescribing_safety": ("patients_with_hazard", "patients_at_risk"),
             "childrens_health_assessments": ("assessed_within_20_days",
                                              "children_entering_care"),
             "custody_healthcare": ("seen_within_60_minutes", "detainees_referred"),
             "harm_free_care": ("patients_harm_free", "patients_surveyed"),
             "surgical_checklist": ("major_complications", "operations")}
    for name, (num, den) in pairs.items():
        frame = read(name)
        assert (frame[num] <= frame[den]).all() and (frame[den] > 0).all(), name
    for name in CLEAN:
        frame = read(name)
        ints = [f["name"] for f in RESOURCES[name]["schema"]["fields"]
                if f["type"] == "integer"]
        assert (frame[ints].fillna(0) >= 0).all().all(), name


def test_sepsis_flag_agrees_with_the_minutes() -> None:
    ab = read("sepsis_antibiotics")
    assert (ab["within_60_minutes"] == (ab["door_to_antibiotic_minutes"] <= 60)).all()
    assert ab["patient_ref"].is_unique


# ------------------------------------------------------------------------ fiction
#: Words from real NHS organisations and regions (a small denylist, matched as words).
REAL_WORDS = [
    "NHS", "Foundation Trust", "Guy's", "St Thomas", "Addenbrooke", "Royal Free", "Barts",
    "Imperial", "King's College", "Oxford", "Cambridge", "Manchester", "Leeds",
    "Birmingham", "Bristol", "Sheffield", "Newcastle", "Liverpool", "Nottingham",
    "Leicester", "London", "Midlands", "North West", "North East", "South West",
    "South East", "East of England", "Yorkshire", "Humber", "Cumbria", "Northumbria",
    "Kent", "Sussex", "Surrey", "Devon", "Cornwall", "Norfolk", "Suffolk", "Essex",
    "Pennine", "Mersey", "Solent", "Tees", "Tyne", "Wessex", "Thames", "Severn",
]
PATTERN = re.compile(r"\b(" + "|".join(map(re.escape, REAL_WORDS)) + r")\b", re.IGNORECASE)


def test_no_real_organisation_or_region_names_in_any_csv() -> None:
    hits = []
    for r in PACKAGE["resources"]:
        frame = pd.read_csv(DATASETS / r["path"], dtype=str, keep_default_na=False)
        text = frame.to_numpy().ravel()
        hits += [(r["name"], v) for v in np.unique(text) if PATTERN.search(v)]
    assert hits == []


def test_the_denylist_would_catch_a_real_name() -> None:
    assert PATTERN.search("Leeds Teaching Hospitals")
    assert PATTERN.search("nhs foundation trust")
    assert not PATTERN.search("Ambleworth Hospitals")


def test_geography_has_15_collaboratives_and_a_consistent_hierarchy() -> None:
    geo = read("geography")
    assert (geo["org_type"] == "collaborative").sum() == 15
    assert geo["org_id"].is_unique
    parents = set(geo["org_id"])
    child = geo[geo["org_type"] != "collaborative"]
    assert child["parent_id"].isin(parents).all()
    assert (child["org_id"].str[:3] == child["collaborative_id"]).all()
    for kind in ("acute_trust", "ward", "gp_practice", "mental_health_unit",
                 "community_team", "childrens_service", "custody_healthcare"):
        per_collab = geo[geo["org_type"] == kind].groupby("collaborative_id").size()
        assert len(per_collab) == 15, kind
    names = geo.loc[geo["org_type"] == "collaborative", "org_name"]
    assert names.is_unique
    assert len(geography.COLLABORATIVES) == 15


def test_every_organisation_id_used_in_a_dataset_is_in_the_geography() -> None:
    known = set(read("geography")["org_id"])
    id_columns = ("collaborative_id", "trust_id", "ward_id", "practice_id", "unit_id",
                  "team_id", "service_id", "suite_id")
    for name in CLEAN:
        frame = read(name)
        for column in id_columns:
            if column in frame:
                assert set(frame[column]) <= known, (name, column)


def test_generators_and_resources_line_up(files: dict[str, bytes]) -> None:
    made = [name.removesuffix(".csv") for name in files if name.endswith(".csv")]
    assert [r["name"] for r in PACKAGE["resources"]] == made
    assert len(made) == len(GENERATORS)
