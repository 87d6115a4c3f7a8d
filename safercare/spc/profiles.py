"""Named rule profiles: which special-cause rules a chart applies, and exactly how.

Why: "the SPC rules" are not one thing. Tools disagree on the limit constant, rule
lengths, what a point exactly on the centre line does, whether two-sigma counts points
beyond the limits, which colour wins a conflict and whether a run may cross a phase
break. Every chart in :mod:`safercare.spc` therefore takes ``rules=``: the name of a
published profile below, or your own :class:`Profile`. Nothing is a silent variant.

Named profiles:

* ``"mdc"``: Making Data Count Single Chart Tool v5.0 (NHS England). Default for XmR and
  the attribute charts.
* ``"nhsr"``: NHSRplotthedots 0.2.2 (NHS-R Community).
* ``"anhoej"``: Anhøj's run-chart rules (qicharts2). Default for run charts, g and t charts.
* ``"ihi"``: The IHI run-chart rules (Perla, Provost & Murray 2011).

Each named profile's docstring (e.g. ``print(MDC.__doc__)``) states its source, rule
lengths, tie/on-the-line handling, two-sigma semantics, conflict policy and whether
rules cross a phase boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = ["ANHOEJ", "IHI", "MDC", "NHSR", "PROFILES", "Profile", "get_profile",
           "rule_lengths_note", "rules_in_words"]

OnLine = Literal["breaks", "skip"]
Conflict = Literal["improvement", "concern", "priority"]
TrendSide = Literal["both", "next_step"]
TargetOnLimit = Literal["outside", "inside"]


@dataclass(frozen=True)
class Profile:
    """A complete, named set of special-cause rules.

    Attributes:
        name: short name shown in summaries and descriptions.
        source: the published source, cited in full.
        limit_constant: XmR limits are ``mean ± limit_constant × MR̄``; 2.66 (MDC, NHSR)
            or ``3/1.128`` = 2.6596 (Montgomery; qicharts2). Attribute charts always
            use 3 sigma from their own distribution.
        screen_moving_ranges: drop moving ranges ``>= screen_constant × MR̄`` once and
            recompute MR̄ (the mean is unchanged), as Provost & Murray (2011, p. 156)
            and NHSRplotthedots do. MDC v5.0 never screens.
        screen_constant: 3.267, the upper limit of a moving-range chart (D4 for n = 2).
        beyond_limits: flag a point strictly above the upper or below the lower limit.
        shift_length: the fewest points strictly on one side of the centre line that
            make a shift, or ``None`` for no shift rule.
        trend_length: the fewest points in a row each strictly above (or below) the one
            before that make a trend (so ``trend_length − 1`` rises), or ``None``.
        two_of_three: flag two out of three points in a row beyond a two-sigma line.
        two_sigma_counts_beyond_limits: whether a point beyond its process limit also
            counts towards "two of three" (False in MDC v5.0 and NHSR: such a point is
            already flagged by ``beyond_limits``).
        on_centre: what a point exactly on the centre line does to a shift (or long
            run): ``"breaks"`` ends the run; ``"skip"`` ignores the point (it neither
            adds to nor breaks the run, and is never flagged).
        trend_ties: what two equal consecutive values do to a trend: ``"breaks"`` ends
            it; ``"skip"`` ignores the repeat.
        trend_side: which side a trend point is on: ``"both"`` (a turning point belongs
            to both runs it joins; MDC v5.0) or ``"next_step"`` (one side, the step to
            the next point when it is also in a trend, else the step from the previous
            point; NHSRplotthedots 0.2.2). See :func:`safercare.spc.rules.trend`.
        anhoej: apply Anhøj's runs analysis: an unusually long run (longest run of
            useful observations > round(log2(n)) + 3) and too few crossings of the
            centre line (fewer than the 5th percentile of Binomial(n − 1, 0.5)).
            Points on the centre line are always skipped here, as Anhøj defines.
        runs_test: apply the IHI too-few / too-many runs test (Perla et al. 2011),
            with bounds computed from Swed & Eisenhart's (1943) exact runs
            distribution, two-sided 5%.
        rules_cross_phases: whether shift, trend and two-of-three may run across a phase
            break (each point is always judged against its own phase's lines). Runs
            never cross from one ``by=`` group to another.
        baseline_overrides_phases: if both ``baseline`` and ``phases`` are given,
            ``True`` means only the baseline applies (MDC v5.0); ``False`` fixes the
            limits on the first ``baseline`` points of each phase (NHSR).
        min_points: charts with fewer (non-missing) points than this are flagged
            ``provisional``: limits and rules are still computed as trial values.
        colour_provisional: whether a provisional chart's points are coloured by their
            trial signals (``False`` in MDC v5.0, which shows every point grey and no
            icons below 13 points).
        conflict: what a point with both an improvement and a concern signal shows:
            ``"improvement"`` (MDC v5.0), ``"concern"``, or ``"priority"`` (the side of
            the highest rule in ``priority`` that fired, NHSR).
        priority: rule names from highest to lowest priority for ``conflict="priority"``.
            With ``"priority"`` the side of that rule also picks ``_high``/``_low`` in
            the variation icon when neither direction is better.
        target_on_limit: a target exactly on a process limit counts as ``"outside"``
            (pass or fail; MDC SQL, the conformance pack's decision) or ``"inside"``
            (hit and miss; NHSRplotthedots 0.2.2 compares strictly).
    """

    name: str = "custom"
    source: str = "custom rule set"
    limit_constant: float = 2.66
    screen_moving_ranges: bool = False
    screen_constant: float = 3.267
    beyond_limits: bool = True
    shift_length: int | None = 6
    trend_length: int | None = 6
    two_of_three: bool = True
    two_sigma_counts_beyond_limits: bool = False
    on_centre: OnLine = "breaks"
    trend_ties: OnLine = "breaks"
    anhoej: bool = False
    runs_test: bool = False
    rules_cross_phases: bool = True
    baseline_overrides_phases: bool = True
    min_points: int = 13
    colour_provisional: bool = False
    conflict: Conflict = "improvement"
    priority: tuple[str, ...] = field(
        default=("beyond_limits", "trend", "two_of_three", "shift", "long_run")
    )
    trend_side: TrendSide = "both"
    target_on_limit: TargetOnLimit = "outside"

    def __post_init__(self) -> None:
        for name in ("shift_length", "trend_length"):
            value = getattr(self, name)
            if value is not None and (int(value) != value or value < 2):
                raise ValueError(f"{name} must be a whole number of 2 or more, or None to "
                                 f"switch the rule off (got {value!r})")
        if self.limit_constant <= 0:
            raise ValueError("limit_constant must be positive, e.g. 2.66 (got "
                             f"{self.limit_constant!r})")
        if self.on_centre not in ("breaks", "skip") or self.trend_ties not in ("breaks", "skip"):
            raise ValueError("on_centre and trend_ties must be 'breaks' or 'skip' (got "
                             f"{self.on_centre!r} and {self.trend_ties!r})")
        if self.conflict not in ("improvement", "concern", "priority"):
            raise ValueError("conflict must be 'improvement', 'concern' or 'priority' "
                             f"(got {self.conflict!r})")
        if self.trend_side not in ("both", "next_step"):
            raise ValueError(f"trend_side must be 'both' or 'next_step' (got {self.trend_side!r})")
        if self.target_on_limit not in ("outside", "inside"):
            raise ValueError("target_on_limit must be 'outside' or 'inside' (got "
                             f"{self.target_on_limit!r})")
        if self.min_points < 1:
            raise ValueError(f"min_points must be 1 or more (got {self.min_points!r})")

    def with_(self, **changes: object) -> Profile:
        """A copy with some settings changed, e.g. ``MDC.with_(shift_length=7)``."""
        return replace(self, name=str(changes.pop("name", self.name + "*")), **changes)

    @property
    def rule_names(self) -> list[str]:
        """The point-level rule columns this profile adds to a control chart's table."""
        names = []
        if self.beyond_limits:
            names.append("beyond_limits")
        if self.shift_length:
            names.append("shift")
        if self.trend_length:
            names.append("trend")
        if self.two_of_three:
            names.append("two_of_three")
        if self.anhoej:
            names += ["long_run", "few_crossings"]
        if self.runs_test:
            names += ["too_few_runs", "too_many_runs"]
        return names


def _document(profile: Profile, text: str) -> None:
    """Give a named profile instance its own docstring (``MDC.__doc__``)."""
    object.__setattr__(profile, "__doc__", text)


MDC = Profile(
    name="mdc",
    source=(
        "NHS England, Making Data Count: Single Chart Tool v5.0 (XmR), restated as exact "
        "rules in the MDC XmR conformance pack (tests/conformance/mdc-xmr-v5/README.md)"
    ),
)
_document(MDC, """Making Data Count Single Chart Tool v5.0 (NHS England).

* Limits: mean ± 2.66 × MR̄; two-sigma lines mean ± (2/3) × 2.66 × MR̄. No moving-range
  screening. The lower limit is never clamped at zero.
* Rules: a point strictly beyond a limit; a shift of 6 or more points strictly on one
  side of the mean; a trend of 6 or more points each strictly above (below) the one
  before (a repeated value ends it; a turning point belongs to both runs; rising counts
  as high, whatever side of the mean); two of three points in a row strictly beyond
  the two-sigma line, all three strictly on the same side of the mean.
* Phases: each point is judged against its own phase's lines; shift, trend and
  two-of-three cross phase breaks. A baseline overrides phases.
* Conflicts: a point that is both improvement and concern is improvement (blue).

Choices the v5.0 specification leaves open (the conformance pack's "decisions",
tests/conformance/mdc-xmr-v5/README.md; none changes a colour in the pack):

1. Points exactly on a line: a point exactly on its mean ends a shift; a point exactly
   on a process limit or on a two-sigma line is not beyond it (every comparison is
   strict).
2. Fewer than 13 points: trial limits and rules are still computed and flagged
   ``provisional``, but no special-cause colouring is applied (every point grey) and
   no icons are given (``min_points=13``, ``colour_provisional=False``), as MDC SQL.
3. The recalculation boundary: the moving range between the last point of one phase
   and the first of the next is not used (as MDC SQL).
4. A target exactly on a process limit counts as outside the limits: pass or fail,
   not hit and miss (``target_on_limit="outside"``, as MDC SQL).
5. Two-sigma windows with a point beyond its process limit: the window is kept; that
   point does not count towards the two (the single-point rule flags it) but does
   count as being on its side of the mean.
6. High or low in the variation icon (decided by the last point alone): for
   ``higher``/``lower`` the colour decides (blue is improving_high for ``higher``,
   orange is concerning_low, mirrored for ``lower``); for ``neither`` the side of the
   rule that fired at the last point decides, high when both sides fired. (Reading it
   as the point's side of the mean differs only for a last point flagged by a trend on
   the "wrong" side of the mean.)
7. Where a baseline starts: ``baseline=b`` is counted from the first point of the
   chart, and its limits apply to every point, the baseline points included.
8. Blocks shorter than 13 points: the 13-point minimum counts the non-missing points
   of the whole chart, whatever the recalculations; a recalculated phase with fewer
   than 13 points still gets its own limits.
""")

NHSR = Profile(
    name="nhsr",
    source=(
        "NHS-R Community, NHSRplotthedots 0.2.2 (R package), as summarised in the MDC "
        "conformance pack's comparison table"
    ),
    screen_moving_ranges=True,
    shift_length=7,
    trend_length=7,
    rules_cross_phases=False,
    baseline_overrides_phases=False,
    min_points=12,
    colour_provisional=True,
    conflict="priority",
    priority=("beyond_limits", "trend", "two_of_three", "shift"),
    trend_side="next_step",
    target_on_limit="inside",
)
_document(NHSR, """NHSRplotthedots 0.2.2 (NHS-R Community).

Source: R/ptd_spc_standard.R, R/ptd_calculate_point_type.R and
R/ptd_calculate_assurance_type.R of github.com/nhs-r-community/NHSRplotthedots.

* Limits: mean ± 2.66 × MR̄ after screening: moving ranges ≥ 3.267 × MR̄ are dropped
  once and MR̄ recomputed (the mean is unchanged). Fewer than 12 points gives a warning
  only: limits and colours still shown (here: ``provisional=True``, colours kept).
* Rules: beyond limits (strict); shift of 7 points strictly on one side of the mean (a
  point on the mean ends it); trend of 7 points (a tie ends it); two of three beyond
  two sigma, all three on the same side, points beyond the limits not counting.
* Trend side: a trend point takes the direction of the step to the next point when
  that point is also in a trend, else of the step from the previous point, so a peak
  between a rising and a falling trend counts as falling (``trend_side="next_step"``).
* Phases ("rebase"): every rule runs inside its own phase; a baseline
  (``fix_after_n_points``) applies inside each phase.
* Conflicts: the highest-priority rule decides (beyond limits > trend > two of three >
  shift), so a conflict can show concern; with direction ``neither`` the same rule's
  side picks ``_high`` or ``_low`` in the variation icon.
* Assurance: strict comparisons, so a target exactly on a limit is hit and miss
  (``target_on_limit="inside"``).
""")

ANHOEJ = Profile(
    name="anhoej",
    source=(
        "Anhøj J, Olesen AV (2014) Run charts revisited, PLoS ONE 9(11): e113825; "
        "Anhøj J (2015) Diagnostic value of run chart analysis, PLoS ONE 10(3): e0121349; "
        "as implemented in qicharts2 (runs.analysis, R/qic.charts.R)"
    ),
    limit_constant=3 / 1.128,
    screen_moving_ranges=True,
    shift_length=None,
    trend_length=None,
    two_of_three=False,
    on_centre="skip",
    anhoej=True,
    rules_cross_phases=False,
    baseline_overrides_phases=True,
    min_points=10,
    colour_provisional=True,
    conflict="improvement",
)
_document(ANHOEJ, """Anhøj's run-chart rules, as in qicharts2.

* Centre line: the median for run charts (and g charts); the chart's own centre for
  other control charts, where a point beyond the 3-sigma limits also signals.
* Useful observations: non-missing, not excluded points not exactly on the centre line.
  Points on the line, missing points and excluded points are skipped: they neither add
  to nor break a run and are never flagged ``long_run`` (qicharts2 ``runs.analysis``
  keeps only ``x$include`` points with a non-zero, non-missing sign).
* Unusually long run: the longest run of useful observations on one side is longer
  than round(log2(n)) + 3, n = useful observations (Schilling 2012). Its points are
  flagged ``long_run``.
* Too few crossings: fewer crossings of the centre line than the 5th percentile of
  Binomial(n − 1, 0.5) (Chen 2010). A whole-phase signal with no direction: every point
  of the phase gets ``few_crossings=True`` but point verdicts come from point rules.
* Phases: the analysis runs inside each phase. XmR limits (when used) are mean ± 3/1.128
  × MR̄ with moving-range screening (moving ranges ≥ 3.267 × MR̄ dropped once), as
  qicharts2's I chart with its ``qic.screenedmr`` option, which is on once the package
  is attached; the t chart's I chart and Laney's σz (p′, u′) are screened the same way,
  as qicharts2 0.7.4+. No trend rule.
* Fewer than 10 points: ``provisional`` (colours and icons still given).
* Two-sigma: no two-of-three rule. Ties: points exactly on the centre line are skipped.
* Conflicts: cannot arise (a point beyond a limit cannot sit in a run on the other
  side); the policy is set to improvement for completeness.
* Source: Anhøj & Olesen (2014); Anhøj (2015); qicharts2 ``runs.analysis``.
""")

IHI = Profile(
    name="ihi",
    source=(
        "Perla RJ, Provost LP, Murray SK (2011) The run chart: a simple analytical tool "
        "for learning from variation in healthcare processes, BMJ Qual Saf 20: 46-51; "
        "Provost LP, Murray SK (2011) The Health Care Data Guide, Jossey-Bass"
    ),
    limit_constant=3 / 1.128,
    screen_moving_ranges=True,
    shift_length=6,
    trend_length=5,
    two_of_three=False,
    on_centre="skip",
    trend_ties="skip",
    runs_test=True,
    rules_cross_phases=False,
    baseline_overrides_phases=True,
    min_points=10,
    colour_provisional=True,
    conflict="improvement",
)
_document(IHI, """The IHI run-chart rules (Perla, Provost & Murray 2011).

* Shift: 6 or more consecutive points all above or all below the median; points on the
  median are skipped (they neither add to nor break the shift).
* Trend: 5 or more consecutive points all going up or all going down; a repeated value
  is skipped (it neither adds to nor breaks the trend).
* Runs: too few or too many runs (a run is a series of useful observations on one side
  of the median; runs = crossings + 1). For 10 to 40 useful observations the bounds
  are Perla et al.'s Table 1 (:data:`safercare.spc.rules.PERLA_RUNS_TABLE`); outside
  that range, the two-sided 5% critical values of Swed & Eisenhart's (1943) exact runs
  distribution with the useful observations split as evenly as possible above and
  below the median (see :func:`safercare.spc.rules.ihi_runs_bounds`).
* Astronomical point: a judgement ("obviously different") with no numerical rule, so it
  is not automated: look at the chart.
* Phases: rules run inside each phase. Fewer than 10 points: ``provisional``.
* Two-sigma: no two-of-three rule; no limits on a run chart.
* Conflicts: a point in both a shift and an opposite trend shows improvement (the IHI
  guidance is silent; this follows MDC v5.0 -- a documented choice).
* Source: Perla, Provost & Murray (2011), BMJ Qual Saf 20: 46-51.
""")

PROFILES: dict[str, Profile] = {p.name: p for p in (MDC, NHSR, ANHOEJ, IHI)}


def get_profile(rules: str | Profile) -> Profile:
    """Look up a named profile, or pass a :class:`Profile` through."""
    if isinstance(rules, Profile):
        return rules
    try:
        return PROFILES[str(rules).lower()]
    except KeyError:
        names = ", ".join(repr(n) for n in PROFILES)
        raise ValueError(f"unknown rules {rules!r}: use one of {names} or a Profile") from None


def rules_in_words(rules: str | Profile = "mdc") -> list[str]:
    """The special-cause rules of a profile as short sentences, with its own numbers.

    Lessons print these rather than typing "6 points" by hand, so the words can never
    disagree with the rules the charts use. One sentence per rule the profile applies,
    in the order a reader meets them.
    """
    p = get_profile(rules)
    words: list[str] = []
    if p.beyond_limits:
        words.append("**A point outside the process limits.**")
    if p.shift_length:
        words.append(f"**A shift:** {p.shift_length} or more points in a row on the same side "
                     "of the mean.")
    if p.trend_length:
        words.append(f"**A trend:** {p.trend_length} or more points in a row, each higher (or "
                     "each lower) than the one before.")
    if p.two_of_three:
        words.append("**Two out of three:** two out of three points in a row beyond the same "
                     "two-sigma line.")
    if p.anhoej:
        words.append("**An unusually long run:** more points in a row on one side of the "
                     "median than chance allows for the number of useful points.")
        words.append("**Too few crossings:** the line crosses the median fewer times than "
                     "chance allows for the number of useful points.")
    if p.runs_test:
        words.append("**Too few or too many runs** for the number of useful points.")
    return words


def rule_lengths_note(rules: str | Profile = "mdc", other: str | Profile = "nhsr") -> str:
    """One plain sentence on how two profiles' shift and trend lengths differ (or agree)."""
    a, b = get_profile(rules), get_profile(other)
    if (a.shift_length, a.trend_length) == (b.shift_length, b.trend_length):
        return (f"The {a.name.upper()} and {b.name.upper()} rule sets use the same lengths: "
                f"{a.shift_length} points for a shift and {a.trend_length} for a trend.")
    names = {"mdc": "Making Data Count's Single Chart Tool v5.0, which this course uses",
             "nhsr": "the NHSRplotthedots R package and older Making Data Count material"}
    first = names.get(a.name, a.name)
    return (f"{first[0].upper() + first[1:]}, counts {a.shift_length} points for a "
            f"shift and {a.trend_length} for a trend; {names.get(b.name, b.name)} use "
            f"{b.shift_length} and {b.trend_length}, so the same chart can show a shift in one "
            "and not the other.")
