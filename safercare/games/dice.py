"""How often do chart rules fire on pure noise? Dice rolls through the SPC rules.

Why: every rule for spotting a signal on a run chart or SPC chart is a trade-off. Add
more rules, or look at longer series, and you catch real changes sooner -- but you also
get more *false alarms* on data where nothing has changed at all. The classroom version
is to roll dice (pure chance, no cause at all) twenty times, chart the totals and see
whether the rules "find" something. This module plays that many times over and reports
the share of noise series in which at least one rule fires (see Anhøj and Olesen 2014
for run chart rules; Provost and Murray 2011, ch. 3, for SPC rules).

The series are charted with :mod:`safercare.spc` using ``by=`` (one call for all
series), so the rules are exactly the ones the lessons use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = ["RULE_COLUMNS", "compare_rules", "dice_series", "noise_signals", "signal_rate"]

#: Rule columns an SPC or run chart table may carry, in the order they are reported.
RULE_COLUMNS: tuple[str, ...] = (
    "beyond_limits", "shift", "trend", "two_of_three", "long_run", "few_crossings",
    "too_few_runs", "too_many_runs",
)


def dice_series(n_series: int = 1000, n_points: int = 20, *, dice: int = 2,
                seed: int | None = 6) -> pd.DataFrame:
    """Pure noise: ``n_series`` series of ``n_points`` totals of ``dice`` six-sided dice.

    Returns:
        Long table with columns ``series, point, value``.
    """
    problems = []
    if n_series < 1:
        problems.append(Problem(None, "n_series", "we need at least one series", "use e.g. 1000",
                                value=str(n_series)))
    if n_points < 2:
        problems.append(Problem(None, "n_points", "a chart needs at least 2 points",
                                "use e.g. 20", value=str(n_points)))
    if dice < 1:
        problems.append(Problem(None, "dice", "roll at least one die", "use e.g. 2",
                                value=str(dice)))
    if problems:
        raise DataError(problems)
    rolls = np.random.default_rng(seed).integers(1, 7, size=(n_series, n_points, dice))
    return pd.DataFrame({
        "series": np.repeat(np.arange(1, n_series + 1), n_points),
        "point": np.tile(np.arange(1, n_points + 1), n_series),
        "value": rolls.sum(axis=2).ravel().astype(float),
    })


def noise_signals(n_series: int = 1000, n_points: int = 20, *, chart: str = "xmr",
                  rules: str | None = None, dice: int = 2, seed: int | None = 6
                  ) -> pd.DataFrame:
    """Chart many dice series and record which rules fired in each.

    Args:
        chart: ``"xmr"`` (an XmR chart, Making Data Count rules by default) or ``"run"``
            (a run chart, Anhøj rules by default).
        rules: a rule profile name passed to :mod:`safercare.spc` (``None`` for its default).

    Returns:
        One row per series: ``series``, one true/false column per rule that the chart
        reports, and ``any_signal``.
    """
    from safercare import spc

    data = dice_series(n_series, n_points, dice=dice, seed=seed)
    charts = {"xmr": spc.xmr, "run": spc.run_chart}
    if chart not in charts:
        raise DataError(Problem(None, "chart", "choose an XmR chart or a run chart",
                                "use 'xmr' or 'run'", value=str(chart)))
    kwargs = {} if rules is None else {"rules": rules}
    result = charts[chart](data, value="value", date="point", by="series", **kwargs)
    table = result.table
    present = [c for c in RULE_COLUMNS if c in table.columns
               and not (chart == "run" and c == "beyond_limits")]  # a run chart has no limits
    fired = table[present].fillna(False).astype(bool).groupby(table["series"].to_numpy()).any()
    fired.index.name = "series"
    fired["any_signal"] = fired[present].any(axis=1)
    return fired.reset_index()


def signal_rate(signals: pd.DataFrame) -> pd.Series:
    """The share of noise series (0 to 1) in which each rule, and any rule, fired."""
    return signals.drop(columns="series").mean()


#: The chart-and-rules pairs the lessons compare.
RULE_SETS: dict[str, tuple[str, str]] = {
    "XmR chart, Making Data Count rules": ("xmr", "mdc"),
    "Run chart, Anhøj rules": ("run", "anhoej"),
    "Run chart, IHI rules": ("run", "ihi"),
}


def compare_rules(n_series: int = 1000, n_points: int = 20, *, dice: int = 2,
                  seed: int | None = 6) -> pd.DataFrame:
    """The false-alarm rate of each rule set in :data:`RULE_SETS` on the same dice series.

    Returns one row per rule set: ``chart and rules``, ``points`` and ``false alarms (%)``
    (the percentage of pure-noise series with at least one signal).
    """
    rates = [100 * signal_rate(noise_signals(n_series, n_points, chart=chart, rules=rules,
                                             dice=dice, seed=seed))["any_signal"]
             for chart, rules in RULE_SETS.values()]
    return pd.DataFrame({"chart and rules": list(RULE_SETS), "points": n_points,
                         "false alarms (%)": np.round(rates, 1)})
