"""The Kubernetes values (deploy/kubernetes/values.yaml) checked the way ``helm install`` does.

Helm lays the user's values over the chart's defaults (maps merged key by key, lists and
scalars replaced, a ``null`` deleting the default) and validates the result against the chart's
``values.schema.json``. The chart's schema and defaults are copied, with their licence, into
``deploy/kubernetes/chart/`` (Zero to JupyterHub, chart appVersion 5.5.0). A typo'd key or a
wrong type must fail, as helm would refuse it; so must values that drop the course's resources.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
KUBE = ROOT / "deploy" / "kubernetes"
CHART = KUBE / "chart"


def helm_merge(defaults: dict, values: dict) -> dict:
    """Helm's coalescing of values over chart defaults: maps merge, others replace, null deletes."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((CHART / "values.schema.json").read_text())


@pytest.fixture(scope="module")
def defaults() -> dict:
    return load(CHART / "values.default.yaml")


@pytest.fixture(scope="module")
def values() -> dict:
    return load(KUBE / "values.yaml")


def errors(schema: dict, document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(document)]


def test_helm_merge_follows_helm():
    merged = helm_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1},
                        {"a": {"c": [3]}, "d": None, "e": {"f": 2}})
    assert merged == {"a": {"b": 1, "c": [3]}, "e": {"f": 2}}


def test_chart_copy_is_complete_and_licensed():
    assert "Redistribution and use in source and binary forms" in (CHART / "LICENSE").read_text()
    assert "$ref\": \"http" not in (CHART / "values.schema.json").read_text()  # self-contained


def test_the_schema_refuses_unknown_keys(schema):
    # the check below is only as strong as the schema: it closes the sections we set
    for section in ("hub", "singleuser", "cull", "proxy", "scheduling"):
        assert schema["properties"][section].get("additionalProperties") is False, section
    assert schema.get("additionalProperties") is False


def test_the_chart_defaults_alone_pass(schema, defaults):
    assert errors(schema, defaults) == []


def test_the_course_values_pass(schema, defaults, values):
    assert errors(schema, helm_merge(defaults, values)) == []


@pytest.mark.parametrize("breakage", [
    ("a typo in a top-level key", lambda v: v.__setitem__("singleusr", v.pop("singleuser"))),
    ("a typo in a nested key", lambda v: v["singleuser"]["memory"].__setitem__(
        "guarante", v["singleuser"]["memory"].pop("guarantee"))),
    ("a typo in the culler", lambda v: v["cull"].__setitem__("timout", v["cull"].pop("timeout"))),
    ("a CPU limit as words", lambda v: v["singleuser"]["cpu"].__setitem__("limit", "one core")),
    ("culling switched on as a string", lambda v: v["cull"].__setitem__("enabled", "yes")),
    ("a storage type the chart lacks", lambda v: v["singleuser"]["storage"].__setitem__(
        "type", "disk")),
])
def test_a_broken_copy_fails(schema, defaults, values, breakage):
    name, break_it = breakage
    broken = copy.deepcopy(values)
    break_it(broken)
    found = errors(schema, helm_merge(defaults, broken))
    assert found, f"{name}: the schema accepted it"


def _bytes(quantity: str | int) -> float:
    units = {"K": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    m = re.fullmatch(r"([\d.]+)\s*([KMG]i?)?", str(quantity))
    assert m, f"not a Kubernetes quantity: {quantity}"
    return float(m.group(1)) * units.get(m.group(2) or "", 1)


def test_resources_come_from_the_sizing_table(values):
    """Guarantees and limits are the ones the trainers' sizing table gives (measured)."""
    table = (ROOT / "book" / "trainers" / "course-server.md").read_text()
    cpu, memory = values["singleuser"]["cpu"], values["singleuser"]["memory"]
    assert 0 < cpu["guarantee"] <= cpu["limit"]
    assert 0 < _bytes(memory["guarantee"]) <= _bytes(memory["limit"])
    for figure in (f"{cpu['guarantee']:g} core", f"{cpu['limit']:g} core",
                   str(memory["guarantee"]), str(memory["limit"])):
        assert figure in table, f"{figure} is not in the sizing table"


def test_course_link_culling_and_login(values):
    link = urlparse(values["singleuser"]["defaultUrl"])
    query = parse_qs(link.query)
    assert link.path == "/git-pull" and query["branch"] == ["main"]
    assert query["urlpath"] == ["lab/tree/safer-care/notebooks/00-start-here.ipynb"]
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "azuread"
    assert config["AzureAdOAuthenticator"]["client_secret"].startswith("REPLACE")
    assert "image" in values["singleuser"] and values["singleuser"]["image"]["name"]
