"""The fictional country every course dataset is set in: 15 collaboratives and their services.

No name here belongs to a real organisation: collaboratives are named after invented
landscapes, and every trust, ward, practice and service takes its name from an invented
town. The table is itself a course dataset (``geography.csv``) so a learner can join any
other table to it by ``org_id``.

Identifiers are structured so a reader can see the hierarchy at a glance:
``C03`` (collaborative) → ``C03-AT1`` (acute trust) → ``C03-AT1-W2`` (ward);
``C03-GP05`` (GP practice), ``C03-MH1`` (mental health unit), ``C03-CT2`` (community
team), ``C03-CS1`` (children's service), ``C03-PC1`` (police-custody healthcare).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld

SEED = 1000

#: (id, name, the two towns whose acute trusts serve it)
COLLABORATIVES: list[tuple[str, str, tuple[str, str]]] = [
    ("C01", "Northmere Fells", ("Ambleworth", "Fellhaven")),
    ("C02", "Eastling Marshes", ("Reedholm", "Marshby")),
    ("C03", "Southaven Coast", ("Gullhaven", "Saltreach")),
    ("C04", "Westerby Vale", ("Vellingford", "Dunmarrow")),
    ("C05", "Highcombe Moors", ("Moorcrest", "Tarnbury")),
    ("C06", "Lowbrook Levels", ("Brookmere", "Sallowfen")),
    ("C07", "Fernmoor Heath", ("Furzeby", "Fernley Cross")),
    ("C08", "Kestrelmouth", ("Quayford", "Ospreyton")),
    ("C09", "Larchwater", ("Larchbridge", "Pinewell")),
    ("C10", "Mistlemere", ("Mistleford", "Hollinvale")),
    ("C11", "Otterholt", ("Otterbeck", "Rushholt")),
    ("C12", "Rookhallow", ("Rookmoor", "Hallowdene")),
    ("C13", "Sorrelden", ("Sorrelbrook", "Cresslow")),
    ("C14", "Thistledown", ("Thistlemoor", "Burrdown")),
    ("C15", "Willowmarsh", ("Osierford", "Wickenfen")),
]

SPECIALTIES = ["Elderly care", "Acute medical unit", "Orthopaedics", "General surgery",
               "Respiratory", "Stroke"]
WARD_NAMES = ["Kestrel", "Heron", "Wren", "Curlew", "Lapwing", "Skylark", "Avocet",
              "Bittern", "Dunlin", "Plover", "Redstart", "Siskin"]
UNIT_NAMES = ["Rowan", "Hazel"]
PRACTICE_SUFFIX = ["Green", "Bridge", "Market", "Meadow"]
WARDS_PER_TRUST = 4
PRACTICES_PER_COLLABORATIVE = 8
COMMUNITY_TEAMS = 3
CUSTODY_SUITES = 2


def build() -> pd.DataFrame:
    """One row per organisation, parents before children, in a fixed order."""
    rng = np.random.default_rng(SEED)
    rows: list[dict[str, object]] = []

    def add(org_id: str, name: str, kind: str, parent: str | None, cid: str, cname: str,
            specialty: str | None = None, beds: int | None = None,
            list_size: int | None = None) -> None:
        rows.append({"org_id": org_id, "org_name": name, "org_type": kind,
                     "parent_id": parent, "collaborative_id": cid, "collaborative": cname,
                     "specialty": specialty, "beds": beds, "list_size": list_size})

    for c_index, (cid, cname, towns) in enumerate(COLLABORATIVES):
        add(cid, cname, "collaborative", None, cid, cname)
        for t, town in enumerate(towns, start=1):
            trust = f"{cid}-AT{t}"
            add(trust, f"{town} Hospitals", "acute_trust", cid, cid, cname)
            for w in range(1, WARDS_PER_TRUST + 1):
                k = (c_index * 2 + t - 1) * WARDS_PER_TRUST + w - 1
                specialty = SPECIALTIES[(k + c_index) % len(SPECIALTIES)]
                if w == 1:
                    specialty = "Elderly care"  # every trust has an elderly care ward
                add(f"{trust}-W{w}", f"{WARD_NAMES[k % len(WARD_NAMES)]} ward", "ward",
                    trust, cid, cname, specialty=specialty,
                    beds=int(rng.integers(22, 33)))
        for p in range(1, PRACTICES_PER_COLLABORATIVE + 1):
            town = towns[(p - 1) % 2]
            suffix = PRACTICE_SUFFIX[(p - 1) // 2 % len(PRACTICE_SUFFIX)]
            add(f"{cid}-GP{p:02d}", f"{town} {suffix} Medical Practice", "gp_practice", cid,
                cid, cname, list_size=int(rng.integers(4, 19)) * 1000)
        for m, unit in enumerate(UNIT_NAMES, start=1):
            add(f"{cid}-MH{m}", f"{towns[m - 1]} {unit} Unit", "mental_health_unit", cid,
                cid, cname, specialty="Adult acute mental health",
                beds=int(rng.integers(16, 25)))
        for k in range(1, COMMUNITY_TEAMS + 1):
            area = ["North", "South", "Central"][k - 1]
            add(f"{cid}-CT{k}", f"{cname} {area} District Nursing Team", "community_team",
                cid, cid, cname, specialty="District nursing")
        add(f"{cid}-CS1", f"{cname} Children's Health Service", "childrens_service", cid,
            cid, cname, specialty="Looked-after children's health")
        for k in range(1, CUSTODY_SUITES + 1):
            add(f"{cid}-PC{k}", f"{towns[k - 1]} Custody Suite Healthcare", "custody_healthcare",
                cid, cid, cname, specialty="Police-custody healthcare")
    frame = pd.DataFrame(rows)
    for col in ("beds", "list_size"):
        frame[col] = frame[col].astype("Int64")
    return frame


def orgs(kind: str) -> pd.DataFrame:
    """The organisations of one ``org_type`` (e.g. ``"ward"``), in table order."""
    frame = build()
    return frame[frame["org_type"] == kind].reset_index(drop=True)


def org_period_keys(orgs: pd.DataFrame, period: str, dates: pd.DatetimeIndex, *,
                    each: int = 1, **columns: str) -> dict[str, np.ndarray]:
    """The key columns of a long table with one row per organisation per period.

    Rows run organisation by organisation and, within each, period by period (the order
    of ``.ravel()`` on an organisations × periods array), each row repeated ``each`` times
    (e.g. once per indicator). The columns are ``period`` (the dates), then
    ``collaborative_id``, then one per keyword: ``trust_id="parent_id"`` repeats the
    ``parent_id`` column of ``orgs`` as ``trust_id``.
    """
    n = len(dates) * each
    keys = {period: np.tile(np.repeat(dates.to_numpy(), each), len(orgs)),
            "collaborative_id": np.repeat(orgs["collaborative_id"].to_numpy(), n)}
    keys.update({name: np.repeat(orgs[col].to_numpy(), n) for name, col in columns.items()})
    return keys


#: The key columns many course tables share, described once: name -> (type, description,
#: unit).
_KEY_FIELDS: dict[str, tuple[str, str, str | None]] = {
    "month": ("date", "First day of the calendar month.", "month"),
    "quarter": ("date", "First day of the quarter.", "quarter"),
    "collaborative_id": ("string", "Collaborative (see geography).", None),
    "trust_id": ("string", "Acute trust (see geography).", None),
    "ward_id": ("string", "Ward (see geography).", None),
}


def key_fields(*names: str) -> list[dict[str, Any]]:
    """Field descriptors for shared key columns (``month``, ``quarter``,
    ``collaborative_id``, ``trust_id``, ``ward_id``), so every table describes them alike."""
    return [fld(name, *_KEY_FIELDS[name][:2], unit=_KEY_FIELDS[name][2]) for name in names]


def org_row(orgs: pd.DataFrame, org_id: str) -> int:
    """Where organisation ``org_id`` sits in ``orgs`` (its row in a per-org array)."""
    return orgs.index[orgs["org_id"] == org_id][0]


def dataset() -> Dataset:
    """The geography table as a course dataset."""
    frame = build()
    counts = frame["org_type"].value_counts()
    return Dataset(
        name="geography",
        primary_key=["org_id"],
        title="The fictional country: collaboratives and their services",
        description=(
            "Every organisation in the course's fictional country: 15 collaboratives, "
            f"{counts['acute_trust']} acute trusts with {counts['ward']} wards, "
            f"{counts['gp_practice']} GP practices, {counts['mental_health_unit']} mental "
            f"health units, {counts['community_team']} community nursing teams, "
            f"{counts['childrens_service']} children's health services and "
            f"{counts['custody_healthcare']} police-custody healthcare services. "
            + SYNTHETIC_NOTE
        ),
        story=(
            "The course is set in one imaginary country whose health services are "
            "organised into 15 collaboratives, each named after its landscape. Every "
            "other dataset refers to these organisations by org_id, so you can follow one "
            "place through wards, practices and services."
        ),
        grain="one row per organisation",
        seed=SEED,
        fields=[
            fld("org_id", "string", "Identifier; its parts show the hierarchy "
                "(C03-AT1-W2 is ward 2 of acute trust 1 in collaborative C03)."),
            fld("org_name", "string", "The organisation's fictional name."),
            fld("org_type", "string", "collaborative, acute_trust, ward, gp_practice, "
                "mental_health_unit, community_team, childrens_service or "
                "custody_healthcare."),
            fld("parent_id", "string", "org_id of the organisation this one belongs to "
                "(blank for a collaborative)."),
            fld("collaborative_id", "string", "The collaborative it sits in."),
            fld("collaborative", "string", "The collaborative's name."),
            fld("specialty", "string", "Ward specialty or service type (blank if none)."),
            fld("beds", "integer", "Staffed beds (wards and mental health units only).",
                unit="beds"),
            fld("list_size", "integer", "Registered patients (GP practices only).",
                unit="patients"),
        ],
        frame=frame,
        sources=[],
    )
