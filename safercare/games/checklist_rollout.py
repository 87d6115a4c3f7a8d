"""A seeded roll-out of a surgical safety checklist across hospitals (lesson 21).

Each hospital starts the checklist in a different month (a stepped wedge), major
complications fall anyway by a background (secular) trend, and the checklist only helps in
proportion to how faithfully it is used (fidelity). Vectorised: one draw for every
hospital-month at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Rollout:
    """The simulated months: one row per hospital per month."""

    table: pd.DataFrame
    trend_per_year: float
    effect_at_full_fidelity: float


def simulate(seed: int = 0, hospitals: int = 8, months: int = 36, baseline: float = 0.11,
             trend_per_year: float = -0.10, effect_at_full_fidelity: float = -0.20,
             operations: int = 400) -> Rollout:
    """Simulate the roll-out. Rates are relative changes (−0.10 = 10% lower per year)."""
    rng = np.random.default_rng(seed)
    month = np.arange(months)
    start = np.linspace(6, months - 6, hospitals).round().astype(int)
    fidelity = np.tile([0.9, 0.4], hospitals // 2 + 1)[:hospitals]
    on = month[None, :] >= start[:, None]
    rate = (baseline * (1 + trend_per_year) ** (month[None, :] / 12)
            * np.where(on, 1 + effect_at_full_fidelity * fidelity[:, None], 1.0))
    ops = rng.poisson(operations, (hospitals, months))
    comp = rng.binomial(ops, rate)
    table = pd.DataFrame({
        "hospital": np.repeat([f"H{i + 1}" for i in range(hospitals)], months),
        "month": np.tile(month, hospitals),
        "checklist": on.ravel(),
        "fidelity": np.repeat(fidelity, months),
        "operations": ops.ravel(),
        "major_complications": comp.ravel(),
    })
    return Rollout(table, trend_per_year, effect_at_full_fidelity)
