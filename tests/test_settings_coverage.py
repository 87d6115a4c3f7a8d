"""Every one of the six care settings is the situation of at least one lesson or exercise.

The collaboratives work in every setting, "from hospital care to care in custody, and from
local GP practices to mental health trusts". This test reads each lesson notebook's code and
the lesson modules it imports, and checks that every setting's dataset is charted somewhere.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Each setting and the course datasets whose data comes from it.
SETTINGS = {
    "acute hospital": {"falls", "sepsis_screening", "harm_free_care", "mortality"},
    "general practice": {"gp_prescribing_safety"},
    "mental health": {"restrictive_interventions"},
    "community care": {"community_pressure_ulcers"},
    "custody": {"custody_healthcare"},
    "children's services": {"childrens_health_assessments"},
}
IMPORT = re.compile(r"from safercare\.lessons import (\w+)|"
                    r"from safercare\.lessons\.(\w+) import|import safercare\.lessons\.(\w+)")


def _used_datasets() -> dict[str, set[str]]:
    """Dataset names each lesson notebook reaches, through its code or its lesson module."""
    from safercare import data

    names = set(data.list_datasets()["name"])
    used: dict[str, set[str]] = {}
    for nb in sorted((ROOT / "notebooks").glob("[0-4]*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        text = code
        for match in IMPORT.finditer(code):
            module = next(g for g in match.groups() if g)
            if module in ("common", "answer_keys"):
                continue
            mod = importlib.import_module(f"safercare.lessons.{module}")
            text += Path(mod.__file__).read_text(encoding="utf-8")
        used[nb.stem] = {n for n in names if re.search(rf"[\"']{n}[\"']", text)}
    return used


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_setting_is_used_by_a_lesson(setting: str) -> None:
    lessons = [nb for nb, names in _used_datasets().items() if names & SETTINGS[setting]]
    assert lessons, f"no lesson charts data from {setting}"


def test_pathways_point_each_setting_to_its_lessons() -> None:
    text = (ROOT / "book" / "pathways.md").read_text(encoding="utf-8").lower()
    used = _used_datasets()
    for setting, datasets in SETTINGS.items():
        assert f"### {setting}" in text, setting
        section = text.split(f"### {setting}", 1)[1].split("###", 1)[0]
        for nb, names in used.items():
            if names & datasets and setting != "acute hospital":
                assert f"../notebooks/{nb}.ipynb" in section, (setting, nb)
