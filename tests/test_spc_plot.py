"""Figures: the expected artists, a distinct marker per verdict, icons, and alt text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from safercare import spc, style  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def monthly(values):
    return pd.DataFrame({"month": pd.date_range("2023-01-01", periods=len(values), freq="MS"),
                         "falls": values})


# 11 points either side of the mean (7.9), one far above the upper limit (concern when
# lower is better), then a shift of 8 below the mean (improvement).
VALUES = [7, 10] * 5 + [7, 30] + [4, 5] * 4


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_points_have_a_distinct_marker_per_verdict():
    r = spc.xmr(monthly(VALUES), "falls", "month", direction="lower", target=6)
    fig = r.plot()
    ax = fig.axes[0]
    points = {a.get_gid(): a for a in ax.collections if isinstance(a, PathCollection)}
    assert set(points) == {"points-common_cause", "points-improvement", "points-concern"}
    verdicts = r.table["verdict"].value_counts()
    for gid, coll in points.items():
        assert len(coll.get_offsets()) == verdicts[gid.removeprefix("points-")]
    shapes = {gid: tuple(map(tuple, c.get_paths()[0].vertices.round(3)))
              for gid, c in points.items()}
    assert len(set(shapes.values())) == 3  # never colour alone
    colours = {gid: tuple(c.get_facecolor()[0].round(3)) for gid, c in points.items()}
    assert len(set(colours.values())) == 3


def test_lines_limits_target_and_icons_are_drawn():
    r = spc.xmr(monthly(VALUES), "falls", "month", direction="lower", target=6,
                phases=[12])
    fig = r.plot()
    ax = fig.axes[0]
    upper = by_gid(ax, "line-upper")
    assert len(upper) == 2  # one per phase
    assert upper[0].get_linestyle() == "--"
    assert by_gid(ax, "line-centre")[0].get_linestyle() == "-"
    assert len(by_gid(ax, "phase-break")) == 1
    target = by_gid(ax, "target")
    assert target and target[0].get_color() == style.TARGET_COLOUR
    assert target[0].get_linewidth() > upper[0].get_linewidth()
    insets = [a for a in ax.child_axes if a.get_label().startswith("icon-")]
    assert {a.get_label() for a in insets} == {"icon-0", "icon-1"}
    assert all(any(isinstance(p, Circle) for p in a.patches) for a in insets)
    texts = {t.get_text() for a in insets for t in a.texts}
    assert {"Variation", "Assurance"} <= texts
    assert fig.alt_text == r.describe()


def test_plot_accepts_an_axes_and_returns_its_figure():
    fig, ax = plt.subplots()
    out = spc.run_chart(VALUES).plot(ax=ax)
    assert out is fig
    assert by_gid(ax, "line-centre") and not by_gid(ax, "line-upper")


def test_provisional_chart_has_no_icons_and_faint_trial_limits():
    r = spc.xmr(VALUES[:10])
    fig = r.plot()
    assert by_gid(fig.axes[0], "points-common_cause")
    assert not fig.axes[0].child_axes
    upper = by_gid(fig.axes[0], "line-upper")[0]
    assert upper.get_alpha() < 1
    assert "(trial)" in upper.get_label()


def test_small_multiples_for_several_series_and_group_for_one():
    df = pd.DataFrame({"ward": np.repeat(["A", "B", "C"], 15),
                       "v": np.tile(np.arange(15.0), 3)})
    r = spc.xmr(df, "v", by="ward")
    fig = r.plot()
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 3 and all(len(a.child_axes) == 1 for a in panels)
    assert "A:" in fig.alt_text and "C:" in fig.alt_text
    one = r.plot(group="B")
    assert one.axes[0].get_title(loc="left") == "XmR chart"
    with pytest.raises(ValueError, match="no series"):
        r.plot(group="Z")


def test_every_chart_plots():
    rng = np.random.default_rng(4)
    num = rng.integers(0, 20, 24)
    den = num + rng.integers(50, 100, 24)
    for r in (spc.p_chart(numerator=num, denominator=den),
              spc.u_chart(numerator=num, denominator=den),
              spc.p_prime(numerator=num, denominator=den),
              spc.u_prime(numerator=num, denominator=den),
              spc.c_chart(num), spc.g_chart(num), spc.t_chart(den)):
        fig = r.plot()
        assert fig.axes[0].collections
        noun = "events" if r.chart in ("g", "t") else "points"  # g and t: one point per event
        assert r.describe().startswith(f"24 {noun}")


def test_describe_mentions_n_mean_and_signals():
    text = spc.xmr(monthly(VALUES), "falls", "month", direction="lower").describe()
    assert text.startswith("20 monthly points from January 2023 to August 2024")
    mean = np.mean(VALUES)
    assert f"mean {mean:.2f}".rstrip("0") in text
    assert "a shift of 8 points below the mean since January 2024 — improvement" in text
    assert "1 point outside the process limits (in December 2023, above the upper limit)" \
        " — concern" in text


def test_describe_common_cause_and_run_chart_words():
    assert "No signals" in spc.xmr([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5]).describe()
    text = spc.run_chart([1, 2, 3, 4, 1, 2, 3, 4, 7, 8, 9, 10, 7, 8, 9, 10]).describe()
    assert "median 5.5" in text
    assert "a run of 8 points above the median" in text
    assert "too few crossings of the median" in text


def test_style_palette_and_markers_are_distinct():
    assert len(set(style.VERDICT_COLOURS.values())) == 4
    assert len(set(style.VERDICT_MARKERS.values())) == 4
    assert style.GREY.upper() == "#A6A6A6" and style.BLUE.upper() == "#00B0F0"
    assert style.ORANGE.upper() == "#E46C0A"


def test_a_runs_signal_dashes_the_centre_line():
    y = [1, 2, 3, 4, 1, 2, 3, 4, 7, 8, 9, 10, 7, 8, 9, 10]
    fig = spc.run_chart(y).plot()
    centre = by_gid(fig.axes[0], "line-centre")[0]
    assert centre.get_color() == style.PURPLE and centre.get_linestyle() == "--"
    quiet = spc.run_chart([1, 9] * 8).plot()
    assert by_gid(quiet.axes[0], "line-centre")[0].get_linestyle() == "-"


def test_p_chart_reads_as_percentages():
    r = spc.p_chart(numerator=[5, 6, 7, 4, 5], denominator=[50, 60, 70, 40, 50])
    assert "mean 10%" in r.describe()
    fig = r.plot()
    assert fig.axes[0].yaxis.get_major_formatter().__class__.__name__ == "PercentFormatter"
    assert "mean 10%" not in spc.p_chart(numerator=[5, 6], denominator=[50, 60],
                                         multiplier=1000).describe()


def test_description_names_each_recalculation_and_a_lower_limit_below_zero():
    from safercare import spc

    values = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 20, 21, 19, 22, 20, 21, 19, 20, 22, 21, 20]
    one = spc.xmr(values)
    assert "recalculated" not in one.describe()
    two = spc.xmr(values, phases=[13])
    words = two.describe()
    assert "Limits recalculated from point 14 (the mean moved from 5.85 to 20.5)" in words
    low = spc.xmr([0, 3, 0, 4, 0, 1, 5, 0, 2, 0, 6, 0, 1, 0, 3])
    assert low.summary["lower"] < 0
    assert "lower limit is below zero" in low.describe()


def test_icon_labels_do_not_overlap_even_on_a_narrow_panel():
    import matplotlib.pyplot as plt

    from safercare import spc

    values = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 8, 9, 8, 9, 8]
    for width in (3.5, 5.0, 9.0):
        fig, ax = plt.subplots(figsize=(width, 3.0), layout="constrained")
        spc.xmr(values, direction="lower", target=7).plot(ax=ax)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        labels = [t for a in ax.child_axes if a.get_label().startswith("icon-") for t in a.texts
                  if t.get_text() in ("Variation", "Assurance")]
        assert len(labels) == 2
        first, second = (t.get_window_extent(renderer) for t in labels)
        assert not first.overlaps(second), f"icon labels overlap at {width} in wide"
        plt.close(fig)
