"""Deming's funnel experiment: what "adjusting" a stable process does to it.

Why: a stable process varies. Reacting to each result as if it had a cause -- moving
the funnel after every drop -- is what Deming called *tampering*, and it always makes
the results worse (Deming 1986, *Out of the Crisis*, ch. 11; Deming 1993, *The New
Economics*, ch. 9, after Lloyd Nelson). A marble is dropped through a funnel held over a
target; where it lands varies by a random error ``e`` (here normal, standard deviation
``sd`` in each direction). The four rules for moving the funnel after each drop are:

1. Leave the funnel over the target (no adjustment).
2. Move the funnel from its **last position** by minus the last error
   (``funnel[k+1] = funnel[k] - z[k]``).
3. Move the funnel to the **target** minus the last error (``funnel[k+1] = -z[k]``).
4. Put the funnel over the **last drop** (``funnel[k+1] = z[k]``).

With target 0 and drop ``z[k] = funnel[k] + e[k]``, the rules give closed forms, which is
how the simulator is vectorised (no loop per drop):

* rule 1: ``z[k] = e[k]`` -- stable, the best possible;
* rule 2: ``z[k] = e[k] - e[k-1]`` -- stable, but the variance doubles (sd x 1.41);
* rule 3: ``z[k] = e[k] - e[k-1] + e[k-2] - ...`` -- swings from side to side, ever wider;
* rule 4: ``z[k] = e[1] + ... + e[k]`` -- a random walk that drifts away.

:func:`management_by_last_month` applies the same rules to one monthly measure, the
everyday form of tampering: "last month was worse than target, so change something".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from safercare.errors import DataError, Problem

__all__ = [
    "MONTHLY_RULES",
    "RULES",
    "describe_funnel",
    "funnel_experiment",
    "funnel_summary",
    "management_by_last_month",
    "plot_funnel",
]

#: The four rules in plain English.
RULES: dict[int, str] = {
    1: "Rule 1: leave the funnel alone",
    2: "Rule 2: move it from where it was, by minus the last miss",
    3: "Rule 3: move it to the target, minus the last miss",
    4: "Rule 4: put it over the last drop",
}


def _drops(errors: np.ndarray, rule: int) -> np.ndarray:
    """Drop positions (relative to target 0) for a rule, from errors along axis 0."""
    if rule == 1:
        return errors.copy()
    if rule == 2:
        previous = np.vstack([np.zeros_like(errors[:1]), errors[:-1]])
        return errors - previous
    if rule == 3:
        sign = np.where(np.arange(errors.shape[0]) % 2 == 0, 1.0, -1.0)[:, None]
        return sign * np.cumsum(sign * errors, axis=0)
    if rule == 4:
        return np.cumsum(errors, axis=0)
    raise DataError(Problem(None, "rule", "the funnel experiment has rules 1, 2, 3 and 4 only",
                            "choose a rule from 1 to 4", value=str(rule)))


def funnel_experiment(drops: int = 50, rules: tuple[int, ...] = (1, 2, 3, 4), *,
                      sd: float = 1.0, seed: int | None = 1993) -> pd.DataFrame:
    """Simulate the funnel experiment for each rule, with the *same* random errors.

    Using the same errors for every rule means any difference between rules is caused
    by the rule alone.

    Returns:
        One row per rule and drop with columns ``rule, rule_name, drop, x, y, funnel_x,
        funnel_y, distance`` (distance of the drop from the target).
    """
    if drops < 2:
        raise DataError(Problem(None, "drops", "the experiment needs at least 2 drops",
                                "use e.g. 50", value=str(drops)))
    if not sd > 0:
        raise DataError(Problem(None, "sd", "the spread must be more than zero", "use e.g. 1",
                                value=str(sd)))
    errors = np.random.default_rng(seed).normal(0.0, sd, size=(drops, 2))
    frames = []
    for rule in rules:  # at most four rules; each is vectorised over drops
        z = _drops(errors, rule)
        f = z - errors
        frames.append(pd.DataFrame({
            "rule": rule,
            "rule_name": RULES[rule],
            "drop": np.arange(1, drops + 1),
            "x": z[:, 0],
            "y": z[:, 1],
            "funnel_x": f[:, 0],
            "funnel_y": f[:, 1],
            "distance": np.hypot(z[:, 0], z[:, 1]),
        }))
    return pd.concat(frames, ignore_index=True)


def funnel_summary(result: pd.DataFrame) -> pd.DataFrame:
    """One row per rule: average and furthest distance from target, and spread of drops.

    ``spread_vs_rule_1`` is each rule's root-mean-square distance divided by rule 1's
    (when rule 1 was simulated): 1.0 means "as good as leaving it alone".
    """
    g = result.assign(sq=result["distance"] ** 2).groupby(["rule", "rule_name"], sort=True)
    out = pd.DataFrame({
        "mean_distance": g["distance"].mean(),
        "max_distance": g["distance"].max(),
        "rms_distance": np.sqrt(g["sq"].mean()),
    }).reset_index()
    base = out.loc[out["rule"] == 1, "rms_distance"]
    out["spread_vs_rule_1"] = out["rms_distance"] / base.iloc[0] if len(base) else np.nan
    return out


#: The rules as a manager applies them to a monthly measure.
MONTHLY_RULES: dict[int, str] = {
    1: "Rule 1: leave the process alone",
    2: "Rule 2: adjust by minus last month's gap from target",
    3: "Rule 3: reset to target minus last month's gap",
    4: "Rule 4: make last month the new starting point",
}


def describe_funnel(result: pd.DataFrame) -> str:
    """Plain-English alt text for :func:`plot_funnel`."""
    s = funnel_summary(result)
    drops = int(result["drop"].max())
    panels = "Four" if len(s) == 4 else str(len(s))
    parts = [f"{panels} panels, one per rule, each showing {drops} marble drops around a "
             "target at the centre."]
    parts += [f"{row.rule_name}: drops land on average {row.mean_distance:.1f} units "
              f"from the target, the furthest {row.max_distance:.1f}." for row in s.itertuples()]
    return " ".join(parts)


def plot_funnel(result: pd.DataFrame, *, ax: np.ndarray | None = None) -> Figure:
    """Draw each rule's drops around the target, one panel per rule, on the same scale."""
    import matplotlib.pyplot as plt

    from safercare import style

    rules = sorted(result["rule"].unique())
    with style.style_context():
        if ax is None:
            fig, axes = plt.subplots(1, len(rules), figsize=(3.2 * len(rules), 3.6),
                                     layout="constrained", squeeze=False)
            axes = axes.ravel()
        else:
            axes = np.asarray(ax).ravel()
            fig = axes[0].figure
    lim = float(np.ceil(max(result[["x", "y"]].abs().max().max(), 3.0)))
    markers = {1: "o", 2: "s", 3: "^", 4: "D"}
    colours = {1: style.GREY, 2: style.BLUE, 3: style.ORANGE, 4: style.PURPLE}
    for a, rule in zip(axes, rules, strict=True):
        r = result[result["rule"] == rule]
        a.scatter(r["x"], r["y"], s=16, color=colours[rule], marker=markers[rule],
                  edgecolors=style.LIMIT_COLOUR, linewidths=0.4, zorder=3)
        a.plot([0], [0], marker="+", markersize=14, color=style.CENTRE_COLOUR, mew=2, zorder=4)
        a.set_xlim(-lim, lim)
        a.set_ylim(-lim, lim)
        a.set_aspect("equal")
        style.apply_style(a, title=f"Rule {rule}")
        a.set_xlabel(RULES[rule].split(": ", 1)[1], fontsize=style.FONT_SIZE - 2, wrap=True)
    fig.alt_text = describe_funnel(result)  # type: ignore[attr-defined]
    return fig


def management_by_last_month(months: int = 36, *, mean: float = 20.0, sd: float = 3.0,
                             target: float | None = None, seed: int | None = 2024,
                             rules: tuple[int, ...] = (1, 2)) -> pd.DataFrame:
    """A monthly measure run by "last month's number": funnel rules applied to one series.

    A stable process has a true mean ``mean`` and month-to-month variation ``sd``. Under
    rule 1 the team leaves the process alone. Under rule 2 -- the everyday reflex -- each
    month the team "corrects" the process by however far last month was from the target
    (e.g. extra checks after a bad month, relaxing after a good one). Rules 3 and 4 are
    available for completeness. All rules share the same underlying monthly noise.

    Returns:
        One row per rule and month with columns ``rule, rule_name, month, value,
        adjustment`` (how far the process had been moved when that month was measured)
        and ``worse_than_last`` (true when the month looks worse than the one before:
        higher, for a measure such as falls where lower is better).
    """
    if months < 3:
        raise DataError(Problem(None, "months", "we need at least 3 months", "use e.g. 36",
                                value=str(months)))
    target = mean if target is None else target
    errors = np.random.default_rng(seed).normal(0.0, sd, size=(months, 1))
    frames = []
    for rule in rules:
        z = _drops(errors, rule)[:, 0]
        value = target + z + (mean - target)
        frames.append(pd.DataFrame({
            "rule": rule,
            "rule_name": MONTHLY_RULES[rule],
            "month": pd.period_range("2022-04", periods=months, freq="M").to_timestamp(),
            "value": value,
            "adjustment": z - errors[:, 0],
            "worse_than_last": np.r_[False, np.diff(value) > 0],
        }))
    return pd.concat(frames, ignore_index=True)
