"""George Box's paper helicopter: a seeded simulator for learning to test changes.

Box (1992) taught experimental design with a helicopter cut from a strip of paper: two
wings folded apart, a body folded up, perhaps a paper clip on the body; dropped from a
fixed height, it spins down, and the team times the flight. The aim is the longest flight.
(G. E. P. Box, "Teaching engineers experimental design with a paper helicopter", *Quality
Engineering* 4(3):453–459, 1992; the helicopter is also worked through in Box, Hunter and
Hunter, *Statistics for Experimenters*, 2nd edn, Wiley 2005, as a response-surface study.)

The four factors here are those of the common classroom version of Box's exercise:

====================  ===========  ==============================================
factor                range        what it does in the model
====================  ===========  ==============================================
``wing_length``       4–13 cm      longer wings sweep a bigger disc: slower fall
``body_length``       3–12 cm      more paper (heavier), lower centre of mass
``paper_gsm``         60–200 g/m²  heavier paper falls faster
``paper_clip``        0 or 1       0.45 g more weight, low down: steadier rotor
====================  ===========  ==============================================

The model (:func:`expected_flight_time`)
    A spinning rotor falls at a steady speed at which its drag balances its weight,
    ``v = sqrt(2 m g / (rho Cd A))`` with ``A`` the disc its wings sweep (radius = wing
    length), ``rho`` = 1.2 kg/m³ and ``Cd`` = 1.2; the flight time is the drop height
    (:data:`DROP_HEIGHT`, 2.5 m, a person standing on a chair) over that speed, plus 0.2 s
    for the rotor to start spinning. Long wings on a light body flutter and tumble instead of
    spinning: beyond a wing length that grows with the body and with a paper clip (the
    clip's weight, low down, steadies the rotor) the time falls off. So the paper clip
    *shortens* flights with short wings but *lengthens* them with long wings: the
    **wing length × paper clip interaction** the lessons teach. The constants were chosen
    so that times fall between about 1.5 and 4 s, as in classroom versions of the exercise;
    they are a teaching model, not fitted to Box's data.

Noise
    Each flight differs from its expected time by a normal error with standard deviation
    :data:`NOISE_SD` (0.15 s: a hand-held stopwatch and the air of a room), independently
    for every drop, so replicates of one design vary by that much.

Designs
    :func:`one_factor_at_a_time` changes one factor at a time and keeps the best, as people
    do by instinct; from the classroom start (short wings, no clip) it never tries long wings
    *with* a clip and so misses the best design. :func:`factorial_design` and
    :func:`factorial_experiment` fly every combination of two levels of each factor, with
    replicates, and :func:`effects` estimates every main effect and interaction with its
    standard error from the replicates (Box, Hunter and Hunter 2005, ch. 5).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from safercare.errors import DataError, Problem

__all__ = [
    "DROP_HEIGHT",
    "FACTORS",
    "FACTORIAL_LEVELS",
    "NOISE_SD",
    "START",
    "best_design",
    "effects",
    "expected_flight_time",
    "factorial_design",
    "factorial_experiment",
    "fly",
    "one_factor_at_a_time",
]

#: Drop height in metres.
DROP_HEIGHT = 2.5
#: Standard deviation of one flight's time around its expected value (seconds).
NOISE_SD = 0.15
#: Each factor's label, unit and the range a real helicopter can have.
FACTORS: dict[str, tuple[str, str, float, float]] = {
    "wing_length": ("Wing length", "cm", 4.0, 13.0),
    "body_length": ("Body length", "cm", 3.0, 12.0),
    "paper_gsm": ("Paper weight", "g/m²", 60.0, 200.0),
    "paper_clip": ("Paper clip", "0 = none, 1 = one clip", 0.0, 1.0),
}
#: The classroom starting design: short wings, a medium body, printer paper, no clip.
START: dict[str, float] = {"wing_length": 6.0, "body_length": 4.0, "paper_gsm": 80.0,
                           "paper_clip": 0.0}
#: Two levels of each factor for the 2^4 factorial (low, high).
FACTORIAL_LEVELS: dict[str, tuple[float, float]] = {
    "wing_length": (6.0, 11.0),
    "body_length": (4.0, 8.0),
    "paper_gsm": (80.0, 120.0),
    "paper_clip": (0.0, 1.0),
}

_CLIP_GRAMS = 0.45
_RHO, _CD, _G = 1.2, 1.2, 9.81
_SPIN_UP = 0.2


def expected_flight_time(wing_length: Any, body_length: Any, paper_gsm: Any,
                         paper_clip: Any) -> np.ndarray:
    """The expected (noise-free) flight time in seconds; arguments broadcast like numpy's.

    See the module docstring for the model. Paper area in cm² is ``8 × wing + 3 × body + 12``
    (two 4 cm wide wings, a 3 cm wide body and the hub).
    """
    wing = np.asarray(wing_length, dtype=float)
    body = np.asarray(body_length, dtype=float)
    gsm = np.asarray(paper_gsm, dtype=float)
    clip = np.asarray(paper_clip, dtype=float)
    area_m2 = (8 * wing + 3 * body + 12) / 1e4
    mass_kg = (area_m2 * gsm + clip * _CLIP_GRAMS) / 1000
    disc = np.pi * (wing / 100) ** 2
    speed = np.sqrt(2 * mass_kg * _G / (_RHO * _CD * disc))
    stable_up_to = 7.0 + 0.3 * (body - 6) + 3.5 * clip
    steadiness = 1 / (1 + 0.08 * np.maximum(0.0, wing - stable_up_to) ** 2)
    return _SPIN_UP + DROP_HEIGHT / speed * steadiness


def _design_frame(design: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """The design as a table with the four factor columns, checked against their ranges."""
    frame = (design.copy() if isinstance(design, pd.DataFrame)
             else pd.DataFrame({k: np.atleast_1d(v) for k, v in dict(design).items()}))
    problems = []
    for name, (label, unit, low, high) in FACTORS.items():
        if name not in frame:
            problems.append(Problem(None, name, f"the design has no {label.lower()}",
                                    f"give {name} ({unit})"))
            continue
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~((values >= low) & (values <= high)))
        if name == "paper_clip":
            bad = np.flatnonzero(~np.isin(values, (0.0, 1.0)))
        for i in bad[:5]:
            problems.append(Problem(int(i) + 1, name, f"{label.lower()} must be from {low:g} "
                                    f"to {high:g} {unit}" if name != "paper_clip" else
                                    "a paper clip is 0 (none) or 1 (one clip)",
                                    "choose a value a paper helicopter can have",
                                    value=str(frame[name].iat[int(i)])))
        frame[name] = values
    if problems:
        raise DataError(problems)
    return frame


def fly(design: pd.DataFrame | Mapping[str, Any], replicates: int = 1, *,
        seed: int | np.random.Generator = 0) -> pd.DataFrame:
    """Drop each helicopter of ``design`` ``replicates`` times; one row per flight.

    Args:
        design: a table (or mapping of columns) with ``wing_length``, ``body_length``,
            ``paper_gsm`` and ``paper_clip``; other columns are kept.
        replicates: drops per design (1–20).
        seed: a seed or a numpy Generator.

    Returns:
        The design's columns plus ``design`` (1, 2, … in the order given), ``replicate``,
        ``expected_time`` and ``flight_time`` (seconds, rounded to 0.01 as a stopwatch).
    """
    if not 1 <= int(replicates) <= 20:
        raise DataError(Problem(None, "replicates", "this is not a number of drops we can "
                                "make", "choose from 1 to 20 drops per design",
                                value=str(replicates)))
    frame = _design_frame(design).reset_index(drop=True)
    frame.insert(0, "design", np.arange(1, len(frame) + 1))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    runs = frame.loc[frame.index.repeat(int(replicates))].reset_index(drop=True)
    runs.insert(1, "replicate", np.tile(np.arange(1, int(replicates) + 1), len(frame)))
    expected = expected_flight_time(runs["wing_length"], runs["body_length"],
                                    runs["paper_gsm"], runs["paper_clip"])
    runs["expected_time"] = expected
    runs["flight_time"] = np.round(expected + rng.normal(0.0, NOISE_SD, len(runs)), 2)
    return runs


def factorial_design(levels: Mapping[str, Sequence[float]] | None = None) -> pd.DataFrame:
    """Every combination of two levels of each factor: a 2^k design in standard order.

    ``levels`` maps each factor to its (low, high) levels (default
    :data:`FACTORIAL_LEVELS`); factors left out stay at :data:`START`. Each varied factor
    also gets a coded column ``<factor>_coded`` (−1 low, +1 high).
    """
    levels = dict(FACTORIAL_LEVELS if levels is None else levels)
    unknown = [k for k in levels if k not in FACTORS]
    if unknown:
        raise DataError(Problem(None, unknown[0], "this is not a factor of the helicopter",
                                f"choose from {', '.join(FACTORS)}"))
    names = list(levels)
    codes = np.array(list(itertools.product((-1, 1), repeat=len(names))))[:, ::-1]
    table = pd.DataFrame({k: START[k] for k in FACTORS}, index=range(len(codes)))
    for j, name in enumerate(names):
        low, high = levels[name]
        table[name] = np.where(codes[:, j] > 0, float(high), float(low))
        table[f"{name}_coded"] = codes[:, j]
    return table


def factorial_experiment(levels: Mapping[str, Sequence[float]] | None = None,
                         replicates: int = 2, *, seed: int = 0) -> pd.DataFrame:
    """Fly a 2^k factorial (see :func:`factorial_design`) with ``replicates`` drops each.

    The drops are made in a random order (column ``run_order``), as Box advises, so that a
    drift in the room (a draught, a tired timer) does not pose as an effect.
    """
    rng = np.random.default_rng(seed)
    flights = fly(factorial_design(levels), replicates, seed=rng)
    flights["run_order"] = rng.permutation(len(flights)) + 1
    return flights


def effects(flights: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Main effects and interactions of a replicated two-level factorial, with their error.

    The effect of a factor is the mean flight time at its high level minus the mean at its
    low level; an interaction's effect is the same contrast on the product of the coded
    columns (half the difference between one factor's effect at the other's high and low
    levels, times two). With replicates, the pooled variance ``s²`` of drops of the same
    design gives each effect's standard error ``2 s / sqrt(N)`` for ``N`` drops (Box, Hunter
    and Hunter 2005, ch. 5); an effect is ``clear`` when ``|effect / se|`` exceeds Student's
    t at ``1 − alpha/2`` with the replicates' degrees of freedom.

    Returns one row per term (``wing_length``, ``wing_length × paper_clip``, …) with
    ``effect``, ``se``, ``t`` and ``clear``, largest effect first.
    """
    coded = [c for c in flights.columns if c.endswith("_coded")]
    if not coded or "flight_time" not in flights:
        raise DataError(Problem(None, "flight_time", "this is not a factorial experiment's "
                                "results", "use the table factorial_experiment() returns"))
    y = flights["flight_time"].to_numpy(dtype=float)
    x = flights[coded].to_numpy(dtype=float)
    n = len(y)
    cell = flights.groupby(coded, sort=False)["flight_time"]
    df = n - cell.ngroups
    s = float(np.sqrt(cell.var(ddof=1).mul(cell.size() - 1).sum() / df)) if df > 0 else np.nan
    names = [c.removesuffix("_coded") for c in coded]
    rows = []
    for size in range(1, len(coded) + 1):
        for combo in itertools.combinations(range(len(coded)), size):
            contrast = np.prod(x[:, combo], axis=1)
            effect = float(2 * np.mean(y * contrast))
            rows.append((" × ".join(names[i] for i in combo), size, effect))
    table = pd.DataFrame(rows, columns=["term", "order", "effect"])
    table["se"] = 2 * s / np.sqrt(n)
    table["t"] = table["effect"] / table["se"]
    critical = stats.t.ppf(1 - alpha / 2, df) if df > 0 else np.nan
    table["clear"] = table["t"].abs() > critical
    return table.sort_values("effect", key=np.abs, ascending=False,
                             kind="stable").reset_index(drop=True)


def best_design(flights: pd.DataFrame) -> dict[str, float]:
    """The design with the longest mean flight time among those flown."""
    means = flights.groupby(list(FACTORS))["flight_time"].mean()
    return dict(zip(FACTORS, (float(v) for v in means.idxmax()), strict=True))


def one_factor_at_a_time(start: Mapping[str, float] | None = None,
                         levels: Mapping[str, Sequence[float]] | None = None,
                         replicates: int = 1, *, seed: int = 0) -> pd.DataFrame:
    """Change one factor at a time, keeping the best time seen so far ("OFAT").

    From ``start`` (default :data:`START`), for each factor of ``levels`` in turn (default
    the two levels of :data:`FACTORIAL_LEVELS`, wing length first), fly each of its levels
    with the other factors held where they are, and keep the level with the longest mean
    time. Returns one row per drop with the ``step`` (the factor being varied) and
    ``kept`` (true for the drops of the level kept). The last kept design is the OFAT
    answer; with an interaction it is often not the best design.
    """
    current = dict(START if start is None else start)
    levels = dict(FACTORIAL_LEVELS if levels is None else levels)
    rng = np.random.default_rng(seed)
    parts = []
    for step, (name, options) in enumerate(levels.items(), start=1):
        trial = pd.DataFrame([{**current, name: float(v)} for v in options])
        flights = fly(trial, replicates, seed=rng)
        means = flights.groupby("design")["flight_time"].mean()
        keep = int(means.idxmax())
        current[name] = float(options[keep - 1])
        flights["kept"] = flights["design"] == keep
        flights.insert(0, "step", step)
        flights.insert(1, "factor", name)
        parts.append(flights.drop(columns="design"))
    return pd.concat(parts, ignore_index=True)
