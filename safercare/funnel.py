"""Funnel plots: compare units (wards, trusts, collaboratives, practices) fairly.

Why: a league table ranks units by their rate and so blames the small ones for noise.
A funnel plot instead draws each unit's rate against its size, with control limits that
narrow as the size grows. A unit outside the limits differs by more than chance alone
would explain; everyone inside is "within limits", however they rank.

One call does the job::

    from safercare.funnel import funnel
    result = funnel(df, numerator="falls_with_harm", denominator="admissions",
                    unit="collaborative")
    result.table        # one row per unit, in input order
    result.summary      # target, dispersion factor, overdispersion test
    result.plot()       # the funnel, in the course's accessible style
    result.describe()   # plain-English alt text

Published methods (Spiegelhalter 2005; Spiegelhalter et al 2012)
----------------------------------------------------------------
Two kinds of indicator (Spiegelhalter 2005, table of indicator types):

* ``kind="proportion"``: numerator events out of denominator cases, y = r/n. Under the
  target θ0 the variance is θ0(1 − θ0)/n. The default target is the pooled proportion
  Σr / Σn.
* ``kind="ratio"``: an indirectly standardised ratio, observed / expected (SHMI-style
  deaths against expected deaths), y = O/E. Under the target θ0 the observed count is
  Poisson(θ0·E), so the variance of y is θ0/E. The default target is 1 (the expected
  counts already come from the whole population).

Control limits at 95% and 99.8% (about two and three standard deviations):

* ``method="exact"`` (default): binomial (proportions) or Poisson (ratios) limits with
  Spiegelhalter's interpolation so the funnel is smooth (Spiegelhalter 2005,
  appendix). For a probability p, let y_p be the smallest count with P(Y ≤ y_p) ≥ p and
  α = (P(Y ≤ y_p) − p) / (P(Y ≤ y_p) − P(Y ≤ y_p − 1)); the limit is (y_p − α)/ρ,
  where ρ is the denominator n or the expected count E.
  p = 0.025/0.975 (95%) and 0.001/0.999 (99.8%).
* ``method="normal"``: θ0 ± z_p·s with s = √(θ0(1 − θ0)/n) or √(θ0/E), z_p = 1.960 and
  3.090.

Limits are clipped to the possible range (0 to 1 for a proportion, 0 upwards for a
ratio): a lower limit below zero is shown as zero.

Overdispersion (Spiegelhalter 2005; Spiegelhalter et al 2012)
--------------------------------------------------------------------
Real units vary more than binomial or Poisson chance allows (case mix, coding), so with
many units or large denominators almost everyone falls "outside" the limits. The check:

1. z-scores z_i = (y_i − θ0)/s_i for the k units with data;
2. winsorise them at 10%: z-scores below the 10th percentile are set to it, those above
   the 90th to it (percentiles by linear interpolation, numpy's default and R's type 7,
   as in FunnelPlotR);
3. dispersion factor φ = (1/k) Σ z_w²;
4. the test: the units are overdispersed when kφ > k − 1 (the condition for τ² > 0
   below). ``summary["p_value"]`` also gives P(χ²_{k−1} ≥ kφ) for information; the
   plain-English description mentions unadjusted overdispersion only when it is below
   0.05.

When the test finds overdispersion and you ask for an adjustment:

* ``overdispersion="multiplicative"``: limits θ0 ± z_p·√φ·s_i (Spiegelhalter 2005).
  Limits are only ever widened: with φ ≤ 1 nothing changes (kφ can exceed k − 1 with φ
  just below 1).
* ``overdispersion="additive"``: a random-effects model with between-unit variance
  τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw), w_i = 1/s_i², floored at 0 (the DerSimonian–Laird
  style moment estimator in Spiegelhalter 2005 and Spiegelhalter et al 2012), and
  limits θ0 ± z_p·√(s_i² + τ²).

Adjusted limits are normal-approximation limits (the published formulas work on that
scale), whatever ``method`` says; ``summary["limits"]`` names what was drawn. With
overdispersion, ``z_adjusted`` is z/√φ (multiplicative) or (y − θ0)/√(s² + τ²)
(additive); otherwise it equals ``z``.

Two things worth knowing:

* Winsorising makes φ robust to a few extreme units, and it also shrinks it: for
  normally distributed z-scores with variance φ the winsorised estimate is about 0.68 φ.
  Pass ``winsorise=0`` for the plain moment estimate.
* FunnelPlotR (Mainey, NHS-R) computes φ and τ² with the same formulas but from
  z-scores on a transformed scale: for ratios log(O/E) with s = 1/√E (its "SHMI"
  default) or √(O/E) with s = 1/(2√E) ("CQC"). This module follows Spiegelhalter
  2005's indicator table and works on the natural scale, as clinical-qikit does, so its φ and
  τ² differ from FunnelPlotR's on the same data (here τ² is on the scale of the
  proportion or ratio itself). Our exact limits, φ and τ² agree with clinical-qikit
  0.5.0 to 1e-9 (see the tests). The SHMI variant, which truncates (drops) the extreme
  10% rather than winsorising them, is not implemented.

References: Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance.
Statistics in Medicine 24:1185–1202. Spiegelhalter DJ, Sherlaw-Johnson C, Bardsley M et
al (2012) Statistical methods for healthcare regulation: rating, screening and
surveillance. J R Stat Soc A 175:1–47. NHS Digital, Summary Hospital-level Mortality
Indicator (SHMI) methodology.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from safercare.checks import as_numbers, check_counts, check_denominators, check_proportions
from safercare.errors import DataError, Problem

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "LEVELS",
    "FunnelResult",
    "dispersion",
    "exact_limits",
    "funnel",
    "normal_limits",
]

Kind = Literal["proportion", "ratio"]
Method = Literal["exact", "normal"]
Overdispersion = Literal["multiplicative", "additive"] | None
Direction = Literal["higher", "lower", "neither"]

#: Coverage of each pair of limits, keyed by the suffix of its table columns.
LEVELS: dict[str, float] = {"95": 0.95, "998": 0.998}


# --------------------------------------------------------------------------- limits
def _sd(target: float, size: np.ndarray, kind: Kind) -> np.ndarray:
    """Standard deviation of y = r/n or O/E under the target (Spiegelhalter 2005)."""
    size = np.asarray(size, dtype=float)
    variance = target * (1.0 - target) if kind == "proportion" else target
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(variance / size)


def _clip(values: np.ndarray, kind: Kind) -> np.ndarray:
    return np.clip(values, 0.0, 1.0 if kind == "proportion" else np.inf)


def exact_limits(
    target: float, size: np.ndarray | Sequence[float] | float, kind: Kind, coverage: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial or Poisson limits with Spiegelhalter's interpolation, vectorised.

    ``size`` is the denominator n (proportions; whole numbers) or the expected count E
    (ratios). Returns ``(lower, upper)`` arrays shaped like ``size``, on the scale of the
    proportion or ratio. See the module docstring for the formula.
    """
    size = np.asarray(size, dtype=float)
    tail = (1.0 - coverage) / 2.0
    probs = np.array([tail, 1.0 - tail]).reshape((2,) + (1,) * size.ndim)
    if kind == "proportion":
        dist = stats.binom(np.round(size), target)
    else:
        dist = stats.poisson(target * size)
    y_p = dist.ppf(probs)
    at = dist.cdf(y_p)
    below = dist.cdf(y_p - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(at > below, (at - probs) / (at - below), 0.0)
        limits = _clip((y_p - alpha) / size, kind)
    return limits[0], limits[1]


def normal_limits(
    target: float,
    size: np.ndarray | Sequence[float] | float,
    kind: Kind,
    coverage: float,
    *,
    phi: float = 1.0,
    tau2: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Normal-approximation limits θ0 ± z·√(φ·s² + τ²), vectorised over ``size``.

    ``phi`` widens the limits multiplicatively and ``tau2`` additively (leave both at
    their defaults for unadjusted limits).
    """
    z = stats.norm.ppf(0.5 + coverage / 2.0)
    s = _sd(target, size, kind)
    half = z * np.sqrt(phi * s**2 + tau2)
    return _clip(target - half, kind), _clip(target + half, kind)


# ------------------------------------------------------------------ overdispersion
def dispersion(
    z: np.ndarray | Sequence[float],
    sd: np.ndarray | Sequence[float],
    *,
    winsorise: float = 0.1,
) -> dict[str, float | bool | int]:
    """Spiegelhalter's overdispersion check from z-scores and their standard deviations.

    Returns ``k``, ``phi`` (from z-scores winsorised at ``winsorise`` in each tail),
    ``test_statistic`` (kφ), ``df`` (k − 1), ``overdispersed`` (kφ > k − 1),
    ``p_value`` (P(χ²_{k−1} ≥ kφ), for information) and ``tau2`` (the additive
    between-unit variance, floored at 0). Missing z-scores are ignored.
    """
    z = np.asarray(z, dtype=float)
    sd = np.asarray(sd, dtype=float)
    keep = ~np.isnan(z) & ~np.isnan(sd)
    z, sd = z[keep], sd[keep]
    k = int(z.size)
    if k == 0:
        nan = float("nan")
        return {"k": 0, "phi": nan, "test_statistic": nan, "df": -1,
                "overdispersed": False, "p_value": nan, "tau2": nan}
    if winsorise > 0:
        low, high = np.quantile(z, [winsorise, 1.0 - winsorise])
        z = np.clip(z, low, high)
    phi = float(np.mean(z**2))
    statistic = k * phi
    w = 1.0 / sd**2
    spread = float(w.sum() - (w**2).sum() / w.sum())
    excess = statistic - (k - 1)
    tau2 = max(0.0, excess / spread) if spread > 0 else 0.0
    p_value = float(stats.chi2.sf(statistic, k - 1)) if k > 1 else float("nan")
    return {
        "k": k,
        "phi": phi,
        "test_statistic": float(statistic),
        "df": k - 1,
        "overdispersed": bool(excess > 0),
        "p_value": p_value,
        "tau2": float(tau2),
    }


# ------------------------------------------------------------------------ result
@dataclass(frozen=True)
class FunnelResult:
    """What :func:`funnel` returns: numbers first, then a picture and its description.

    Attributes:
        table: one row per unit in input order with columns ``unit``, ``numerator``,
            ``denominator``, ``value`` (proportion or ratio), ``target``, ``z``,
            ``z_adjusted``, ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998``,
            flags ``above_998``, ``below_998``, ``above_95``, ``below_95`` (a unit beyond
            the 99.8% limit is beyond the 95% limit too), ``signal`` (``common_cause``,
            ``improvement``, ``concern`` or ``special_cause``, judged at 99.8%) and a
            plain ``verdict``.
        summary: ``k`` units with data, ``kind``, ``method``, ``limits`` (what was
            drawn), ``target``, ``phi``, ``tau2``, ``test_statistic``, ``df``,
            ``overdispersed``, ``p_value``, ``overdispersion`` (the adjustment asked
            for), ``adjusted`` (whether it was applied), ``phi_applied`` and
            ``tau2_applied`` (what the limits use: 1 and 0 when not adjusted),
            ``target_given``, ``winsorise``, ``direction``.
    """

    table: pd.DataFrame
    summary: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)

    # The funnel lines on a smooth grid, for drawing.
    def lines(self, points: int = 200) -> pd.DataFrame:
        """Funnel limits over a smooth grid of denominators spanning the units.

        Columns ``denominator``, ``lower_95``, ``upper_95``, ``lower_998``,
        ``upper_998``. For exact binomial limits the grid is whole numbers.
        """
        s = self.summary
        sizes = self.table["denominator"].to_numpy(dtype=float)
        sizes = sizes[~np.isnan(sizes)]
        low, high = max(sizes.min() * 0.8, 1e-9), sizes.max() * 1.05
        grid = np.geomspace(low, high, points)
        if s["kind"] == "proportion" and s["limits"].startswith("exact"):
            grid = np.unique(np.maximum(np.round(grid), 1.0))
        return _limits_frame(grid, s)

    def plot(self, ax: Axes | None = None) -> Figure:
        """Draw the funnel in the course style; returns the matplotlib Figure.

        Like the SPC charts, the figure carries its description as ``fig.alt_text``
        (see :meth:`describe`). Pass ``ax=`` to draw into an Axes of your own.

        Dash-dot lines are the 95% limits, dashed lines the 99.8% limits and the solid
        line the target. Points: grey circles within the 95% limits; triangles pointing
        up or down for units above or below a limit (hollow beyond 95% only; large,
        filled and labelled with the unit's name beyond 99.8%: blue for improvement,
        orange for concern, purple when neither direction is better).
        """
        from safercare import style

        if ax is None:
            _, ax = style.new_axes()
        s = self.summary
        t = self.table
        lines = self.lines()
        x = lines["denominator"]
        ax.plot(x, lines["upper_998"], label="99.8% limits", **style.limit_line_kw())
        ax.plot(x, lines["lower_998"], **style.limit_line_kw())
        ax.plot(x, lines["upper_95"], label="95% limits", **style.two_sigma_line_kw())
        ax.plot(x, lines["lower_95"], **style.two_sigma_line_kw())
        word = "Target" if s["target_given"] or s["kind"] == "ratio" else "Overall"
        ax.axhline(s["target"], label=f"{word} ({_fmt_value(s['target'], s['kind'])})",
                   **style.centre_line_kw())

        # Shape says where a point is (circle within, triangle up/down beyond a limit);
        # fill and size say which limit (hollow: 95% only; large and coloured: 99.8%),
        # so nothing depends on colour alone.
        within = ~(t["above_95"] | t["below_95"])
        groups = [
            (within, "o", style.GREY, 46, "Within limits"),
            (t["above_95"] & ~t["above_998"], "^", "white", 52, "Above 95% limit"),
            (t["below_95"] & ~t["below_998"], "v", "white", 52, "Below 95% limit"),
        ]
        for flag, marker, word in (("above_998", "^", "Above"), ("below_998", "v", "Below")):
            signal = _signal_for(flag.split("_")[0], s["direction"])
            groups.append((t[flag], marker, style.VERDICT_COLOURS[signal], 90,
                           f"{word} 99.8% limit"))
        for mask, marker, colour, size, label in groups:
            mask = mask.to_numpy(dtype=bool)
            if mask.any():
                ax.scatter(t.loc[mask, "denominator"], t.loc[mask, "value"], s=size,
                           marker=marker, color=colour, edgecolors=style.LIMIT_COLOUR,
                           linewidths=0.8, zorder=3, label=label)
        for _, row in t[t["above_998"] | t["below_998"]].iterrows():
            ax.annotate(str(row["unit"]), (row["denominator"], row["value"]),
                        xytext=(6, 4), textcoords="offset points",
                        fontsize=style.FONT_SIZE - 2, color=style.TEXT_COLOUR)
        if s["kind"] == "proportion":
            from matplotlib.ticker import PercentFormatter

            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        style.apply_style(
            ax,
            title=self.labels.get("title") or "Funnel plot",
            xlabel=self.labels.get("x") or ("Denominator" if s["kind"] == "proportion"
                                            else "Expected count"),
            ylabel=self.labels.get("y") or ("Proportion" if s["kind"] == "proportion"
                                            else "Observed / expected"),
            legend=True,
        )
        fig = ax.figure
        fig.alt_text = self.describe()  # type: ignore[attr-defined]
        return fig

    def describe(self) -> str:
        """A plain-English description of the funnel, suitable as alt text.

        For example: "15 collaboratives; overall proportion 12.3%; 1 above the 99.8%
        limit (North Coast); all others within limits."
        """
        s = self.summary
        t = self.table
        noun = self.labels.get("units", "units")
        total = len(t)
        target_word = {"proportion": "overall proportion", "ratio": "target ratio"}[
            s["kind"]] if not s.get("target_given") else "target"
        parts = [f"{total} {noun}", f"{target_word} {_fmt_value(s['target'], s['kind'])}"]
        if s["adjusted"]:
            how = ("widened by the square root of φ" if s["overdispersion"] ==
                   "multiplicative" else f"widened by τ² = {s['tau2']:.3g}")
            parts.append(f"limits {how} for overdispersion (φ = {s['phi']:.2f})")
        elif s["p_value"] < 0.05:
            parts.append(f"more spread than chance alone (φ = {s['phi']:.2f}); limits not "
                         "adjusted")
        flagged = 0
        for name, words in (("above_998", "above the 99.8% limit"),
                            ("below_998", "below the 99.8% limit")):
            names = t.loc[t[name], "unit"].astype(str).tolist()
            flagged += len(names)
            if names:
                parts.append(f"{len(names)} {words} ({_join(names)})")
        for name, words in (("above", "above the 95% limit only"),
                            ("below", "below the 95% limit only")):
            count = int((t[f"{name}_95"] & ~t[f"{name}_998"]).sum())
            flagged += count
            if count:
                parts.append(f"{count} {words}")
        missing = int(t["value"].isna().sum())
        if missing:
            parts.append(f"{missing} with missing data")
        if flagged == 0:
            parts.append("all within limits" if missing == 0 else "all others within limits")
        else:
            parts.append("all others within limits")
        return "; ".join(parts) + "."


# --------------------------------------------------------------------- the call
def funnel(
    data: pd.DataFrame | None = None,
    numerator: str | Sequence[float] | pd.Series | None = None,
    denominator: str | Sequence[float] | pd.Series | None = None,
    unit: str | Sequence[object] | pd.Series | None = None,
    *,
    kind: Kind = "proportion",
    target: float | None = None,
    method: Method = "exact",
    overdispersion: Overdispersion = None,
    direction: Direction = "neither",
    winsorise: float = 0.1,
    units_name: str = "units",
    title: str | None = None,
) -> FunnelResult:
    """Funnel plot statistics for comparing units fairly.

    Args:
        data: a DataFrame with one row per unit, or ``None`` to pass the columns
            themselves as sequences.
        numerator: column name (or values) of the events: the count for a proportion,
            the observed count for a ratio.
        denominator: column name (or values) of the cases (proportion) or the expected
            count (ratio). Must be above zero.
        unit: column name (or values) of the unit names; names must be unique. If left
            out, the DataFrame's index (or 1, 2, 3 …) names the units.
        kind: ``"proportion"`` (r/n) or ``"ratio"`` (observed/expected).
        target: the value units are compared with. Default: the pooled proportion
            Σr/Σn, or 1 for a ratio.
        method: ``"exact"`` (binomial or Poisson, default) or ``"normal"`` limits.
        overdispersion: ``None`` (default: report φ but do not adjust),
            ``"multiplicative"`` or ``"additive"``; applied only when the test finds
            overdispersion (kφ > k − 1) and at least 3 units have data (and, for
            the multiplicative approach, φ > 1: limits are never narrowed).
        direction: which way is better, ``"higher"``, ``"lower"`` or ``"neither"``;
            sets whether a unit beyond the 99.8% limit is an improvement or a concern.
        winsorise: the share of z-scores winsorised in each tail when estimating φ.
        units_name: what the units are called in :meth:`FunnelResult.describe`, e.g.
            ``"wards"``.
        title: a title for the plot.

    Returns:
        a :class:`FunnelResult` (``.table``, ``.summary``, ``.plot()``,
        ``.describe()``). Units with a missing numerator or denominator keep their row
        with the verdict "missing data" and take no part in the target or φ.

    Raises:
        DataError: naming each row, unit and column with a problem: text in a number
            column, a negative or fractional count, a zero or negative denominator, a
            numerator above its denominator (proportions), a blank or repeated unit name.
        ValueError: for an option that does not exist or a target out of range.
    """
    if kind not in ("proportion", "ratio"):
        raise ValueError(f"kind must be 'proportion' or 'ratio', not {kind!r}")
    if method not in ("exact", "normal"):
        raise ValueError(f"method must be 'exact' or 'normal', not {method!r}")
    if overdispersion not in (None, "multiplicative", "additive"):
        raise ValueError("overdispersion must be None, 'multiplicative' or 'additive', "
                         f"not {overdispersion!r}")
    if direction not in ("higher", "lower", "neither"):
        raise ValueError(f"direction must be 'higher', 'lower' or 'neither', not {direction!r}")
    if not 0 <= winsorise < 0.5:
        raise ValueError(f"winsorise must be at least 0 and below 0.5, not {winsorise!r}")

    names, num, den = _read(data, numerator, denominator, unit, kind)
    have = ~np.isnan(num) & ~np.isnan(den)
    if not have.any():
        raise DataError(Problem(None, None, "no unit has both a numerator and a denominator",
                                "fill in the counts for at least one unit"))
    target_given = target is not None
    if target is None:
        target = float(num[have].sum() / den[have].sum()) if kind == "proportion" else 1.0
    target = float(target)
    if kind == "proportion" and not 0 < target < 1:
        if target_given:
            raise ValueError(f"a target proportion must be between 0 and 1, not {target!r}; "
                             "write a percentage as a proportion, e.g. 0.05 for 5%")
        raise DataError(Problem(None, None, f"every unit has {'no' if target == 0 else 'all'} "
                                "events, so there is no variation to compare",
                                "a funnel plot needs at least one event and one non-event"))
    if kind == "ratio" and not target > 0:
        raise ValueError(f"a target ratio must be above 0, not {target!r}; 1 means as many "
                         "events as expected")

    value = np.divide(num, den, out=np.full_like(num, np.nan), where=have)
    sd = np.where(have, _sd(target, den, kind), np.nan)
    z = (value - target) / sd
    check = dispersion(z, sd, winsorise=winsorise)
    k = check["k"]
    adjust = overdispersion is not None and bool(check["overdispersed"]) and k >= 3
    if overdispersion == "multiplicative":
        adjust = adjust and float(check["phi"]) > 1.0  # widen, never narrow
    phi = max(float(check["phi"]), 1.0) if overdispersion == "multiplicative" and adjust else 1.0
    tau2 = float(check["tau2"]) if overdispersion == "additive" and adjust else 0.0
    if adjust:
        limits_text = (f"normal approximation adjusted for overdispersion ({overdispersion}; "
                       "Spiegelhalter 2005)")
    elif method == "exact":
        limits_text = ("exact binomial" if kind == "proportion" else "exact Poisson") + (
            " with interpolation (Spiegelhalter 2005, appendix)")
    else:
        limits_text = "normal approximation (Spiegelhalter 2005)"

    summary: dict[str, Any] = {
        "k": k,
        "kind": kind,
        "method": method,
        "limits": limits_text,
        "target": target,
        "target_given": target_given,
        "phi": check["phi"],
        "tau2": check["tau2"],
        "test_statistic": check["test_statistic"],
        "df": check["df"],
        "overdispersed": check["overdispersed"],
        "p_value": check["p_value"],
        "overdispersion": overdispersion,
        "adjusted": adjust,
        "phi_applied": phi,
        "tau2_applied": tau2,
        "winsorise": winsorise,
        "direction": direction,
    }
    lim = _limits_frame(np.where(have, den, np.nan), summary)
    with np.errstate(invalid="ignore"):
        z_adjusted = (value - target) / np.sqrt(phi * sd**2 + tau2)
    table = pd.DataFrame({
        "unit": names,
        "numerator": num,
        "denominator": den,
        "value": value,
        "target": target,
        "z": z,
        "z_adjusted": z_adjusted,
    })
    for column in lim.columns.drop("denominator"):
        table[column] = lim[column].to_numpy()
    for level in reversed(LEVELS):  # 99.8% flags first, then 95%
        table[f"above_{level}"] = have & (value > table[f"upper_{level}"].to_numpy())
        table[f"below_{level}"] = have & (value < table[f"lower_{level}"].to_numpy())
    table["signal"] = np.select(
        [table["above_998"], table["below_998"]],
        [_signal_for("above", direction), _signal_for("below", direction)],
        "common_cause",
    )
    table["verdict"] = np.select(
        [~have, table["above_998"], table["below_998"], table["above_95"], table["below_95"]],
        ["missing data", "above 99.8% limit", "below 99.8% limit", "above 95% limit",
         "below 95% limit"],
        "within limits",
    )
    labels = {"units": units_name}
    if title:
        labels["title"] = title
    if isinstance(numerator, str) and isinstance(denominator, str):
        labels["y"] = (f"{numerator} / {denominator}")
        labels["x"] = denominator
    return FunnelResult(table=table, summary=summary, labels=labels)


# ------------------------------------------------------------------ helpers
def _limits_frame(sizes: np.ndarray, summary: dict[str, Any]) -> pd.DataFrame:
    """Limits at every level for these denominators, as the summary says to draw them."""
    target, kind = summary["target"], summary["kind"]
    frame = {"denominator": sizes}
    for level, coverage in LEVELS.items():
        if summary["adjusted"] or summary["method"] == "normal":
            low, high = normal_limits(target, sizes, kind, coverage,
                                      phi=summary["phi_applied"], tau2=summary["tau2_applied"])
        else:
            low, high = exact_limits(target, sizes, kind, coverage)
        frame[f"lower_{level}"] = low
        frame[f"upper_{level}"] = high
    return pd.DataFrame(frame)


def _signal_for(side: str, direction: str) -> str:
    if direction == "neither":
        return "special_cause"
    good = (side == "above") == (direction == "higher")
    return "improvement" if good else "concern"


def _read(
    data: pd.DataFrame | None,
    numerator: Any,
    denominator: Any,
    unit: Any,
    kind: Kind,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick out and check the columns; raise one DataError listing every problem."""
    problems: list[Problem] = []

    def column(spec: Any, default_name: str) -> tuple[str, pd.Series | None]:
        if data is not None and isinstance(spec, str):
            if spec not in data.columns:
                problems.append(Problem(
                    None, spec, "there is no column with this name",
                    "use one of: " + ", ".join(repr(str(c)) for c in data.columns)))
                return spec, None
            return spec, data[spec].reset_index(drop=True)
        if spec is None:
            if default_name == "unit":
                return default_name, None
            problems.append(Problem(None, default_name, "this column is needed",
                                    f"pass {default_name}= (a column name or the values)"))
            return default_name, None
        return (getattr(spec, "name", None) or default_name), pd.Series(list(spec))

    num_name, num_col = column(numerator, "numerator")
    den_name, den_col = column(denominator, "denominator")
    unit_name, unit_col = column(unit, "unit")
    if problems:
        raise DataError(problems)
    assert num_col is not None and den_col is not None
    n = len(num_col)
    if len(den_col) != n or (unit_col is not None and len(unit_col) != n):
        raise DataError(Problem(None, None, "the columns are not all the same length",
                                "give one numerator, one denominator and one name per unit"))
    if unit_col is None:
        index = data.index if data is not None else pd.RangeIndex(n)
        unit_col = (pd.Series(np.arange(1, n + 1)) if isinstance(index, pd.RangeIndex)
                    else pd.Series(index))
    names = unit_col.astype("string").str.strip()

    num, found = as_numbers(num_col, num_name)
    problems += found + check_counts(num, num_name)
    den, found = as_numbers(den_col, den_name)
    problems += found + check_denominators(den, den_name)
    if kind == "proportion":
        problems += check_counts(den, den_name)
        problems += check_proportions(num, den, num_name, den_name)

    blank = names.isna() | (names == "")
    problems += [Problem(int(i) + 1, unit_name, "the unit has no name",
                         "type a name for each unit", unit="point")
                 for i in np.flatnonzero(blank.to_numpy(dtype=bool))]
    repeated = names.duplicated(keep=False) & ~blank
    problems += [Problem(int(i) + 1, unit_name, "this name is used by more than one row",
                         "give each unit one row with a unique name (add up the counts of "
                         "repeated rows first)", value=str(names.iloc[i]), unit="point")
                 for i in np.flatnonzero(repeated.to_numpy(dtype=bool))]
    if problems:
        text = names.fillna("").to_numpy(dtype=object)
        problems = [
            replace(p, what=f"for unit '{text[p.row - 1]}', {p.what}")
            if p.row is not None and p.column != unit_name and text[p.row - 1] else p
            for p in problems
        ]
        problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        raise DataError(problems)
    return names.to_numpy(dtype=object), num, den


def _fmt_value(value: float, kind: str) -> str:
    return f"{value:.1%}" if kind == "proportion" else f"{value:.2f}"


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
