"""Tests for safercare.funnel: limits from first principles, overdispersion, output, errors."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import stats  # noqa: E402

from safercare.errors import DataError  # noqa: E402
from safercare.funnel import dispersion, exact_limits, funnel, normal_limits  # noqa: E402

Z95 = 1.959963984540054
Z998 = 3.090232306167813

NAMES = [
    "North Coast", "Riverside", "Hillside", "Lakeland", "Moorland", "Valley", "Eastgate",
    "Westbrook", "Southfield", "Northfield", "Bayview", "Highcliff", "Greenmere", "Oakridge",
    "Stonebridge",
]


# ------------------------------------------------ exact limits, computed by hand
def _interpolated_limit(pmf, p: float, size: float) -> float:
    """Spiegelhalter 2005 (appendix), written out with a plain loop over counts."""
    cumulative, y = 0.0, 0
    while True:
        before = cumulative
        cumulative += pmf(y)
        if cumulative >= p:
            alpha = (cumulative - p) / (cumulative - before)
            return max(0.0, (y - alpha) / size)
        y += 1


def _poisson_pmf(mu: float):
    return lambda y: math.exp(-mu) * mu**y / math.factorial(y)


def _binom_pmf(n: int, theta: float):
    return lambda y: math.comb(n, y) * theta**y * (1 - theta) ** (n - y) if y <= n else 0.0


@pytest.mark.parametrize("expected", [2.5, 10.0, 37.3])
@pytest.mark.parametrize("target", [1.0, 1.2])
def test_exact_poisson_limits_match_hand_computation(expected, target):
    for coverage in (0.95, 0.998):
        tail = (1 - coverage) / 2
        lower, upper = exact_limits(target, [expected], "ratio", coverage)
        pmf = _poisson_pmf(target * expected)
        assert lower[0] == pytest.approx(_interpolated_limit(pmf, tail, expected), abs=1e-9)
        assert upper[0] == pytest.approx(_interpolated_limit(pmf, 1 - tail, expected), abs=1e-9)


def test_exact_poisson_worked_value():
    # E = 10, target 1: y_0.975 = 17; P(Y<=17) = 0.985722, P(Y<=16) = 0.972958, so
    # alpha = (0.985722 - 0.975) / 0.012764 = 0.8400 and the limit is (17 - 0.84)/10.
    _, upper = exact_limits(1.0, 10.0, "ratio", 0.95)
    assert float(upper) == pytest.approx(1.6160, abs=5e-4)


@pytest.mark.parametrize("n", [20, 150, 999])
def test_exact_binomial_limits_match_hand_computation(n):
    theta = 0.1
    for coverage in (0.95, 0.998):
        tail = (1 - coverage) / 2
        lower, upper = exact_limits(theta, [n], "proportion", coverage)
        pmf = _binom_pmf(n, theta)
        assert lower[0] == pytest.approx(_interpolated_limit(pmf, tail, n), abs=1e-9)
        assert upper[0] == pytest.approx(_interpolated_limit(pmf, 1 - tail, n), abs=1e-9)


def test_normal_limits_worked_values():
    # Proportion 0.1 of 100: s = sqrt(0.1 * 0.9 / 100) = 0.03.
    low, high = normal_limits(0.1, 100, "proportion", 0.95)
    assert (float(low), float(high)) == pytest.approx((0.1 - Z95 * 0.03, 0.1 + Z95 * 0.03))
    low, high = normal_limits(0.1, 100, "proportion", 0.998)
    assert (float(low), float(high)) == pytest.approx((0.1 - Z998 * 0.03, 0.1 + Z998 * 0.03))
    # Ratio with E = 100 and target 1: s = 1 / sqrt(100) = 0.1.
    low, high = normal_limits(1.0, 100, "ratio", 0.95)
    assert (float(low), float(high)) == pytest.approx((1 - Z95 * 0.1, 1 + Z95 * 0.1))


@pytest.mark.parametrize("kind,target", [("proportion", 0.1), ("ratio", 1.0)])
def test_exact_limits_converge_to_normal_for_large_denominators(kind, target):
    sizes = np.array([100.0, 10_000.0, 1_000_000.0])
    for coverage in (0.95, 0.998):
        e_low, e_high = exact_limits(target, sizes, kind, coverage)
        n_low, n_high = normal_limits(target, sizes, kind, coverage)
        half = n_high - target
        error = np.maximum(np.abs(e_high - n_high), np.abs(e_low - n_low)) / half
        assert np.all(np.diff(error) < 0)  # gets closer as n grows
        assert error[-1] < 0.005


def test_limits_are_clipped_to_the_possible_range():
    low, high = normal_limits(0.02, [5, 50], "proportion", 0.998)
    assert np.all(low == 0) and np.all(high <= 1)
    low, high = exact_limits(0.5, [1, 2], "proportion", 0.998)
    assert np.all(low >= 0) and np.all(high <= 1)
    low, _ = exact_limits(1.0, [0.5, 2.0], "ratio", 0.998)
    assert np.all(low >= 0)


# Reference values from an independent implementation of the same published methods:
# clinical-qikit 0.5.0, qic(chart="p", funnel=True) and qic(chart="oe", cl=1.0), run on
# these eight made-up units (see benchmarks/README.md for how it was installed).
QIKIT = {
    "proportion": {
        "numerator": [12, 40, 7, 95, 30, 3, 61, 150],
        "denominator": [100, 420, 35, 800, 260, 60, 500, 1100],
        "phi": 1.2185125223292346, "tau": 0.010716239251338315,
        "lower_998": [0.0273399436, 0.0738334287, 0.0, 0.0865808446, 0.0615584424,
                      0.0027677853, 0.0776180808, 0.0916342071],
        "lower_95": [0.0557524807, 0.0899322626, 0.0078509189, 0.0987257659, 0.0812823591,
                     0.0363294958, 0.0925848785, 0.1020837168],
        "upper_95": [0.1844192535, 0.1523919798, 0.2254300166, 0.1439922479, 0.1607203047,
                     0.2014190428, 0.1498636253, 0.1407092908],
        "upper_998": [0.2277163706, 0.1720981564, 0.3066685257, 0.1579245042, 0.186268453,
                      0.260713652, 0.1677532484, 0.1524800031],
    },
    "ratio": {
        "numerator": [3, 14, 25, 9, 60, 41, 2, 120],
        "denominator": [4.2, 10.5, 30.1, 8.8, 45.0, 47.3, 1.6, 101.9],
        "phi": 1.2780082200649732, "tau": 0.13158350370659117,
        "lower_998": [0.0, 0.1381112237, 0.4695150927, 0.0727562501, 0.5606258325,
                      0.5717103558, 0.0, 0.7031059654],
        "lower_95": [0.037820764, 0.3936557247, 0.6414864145, 0.3426178828, 0.7073307641,
                     0.714473621, 0.0, 0.8056513943],
        "upper_95": [1.9463050336, 1.6022046964, 1.3563055516, 1.6602875676, 1.2913768634,
                     1.2844996201, 2.4850615244, 1.1939587796],
        "upper_998": [2.7134192733, 2.0380448462, 1.5920291026, 2.1393789784, 1.4808239793,
                      1.4685423344, 3.9451517431, 1.3147917548],
    },
}


@pytest.mark.parametrize("kind", ["proportion", "ratio"])
def test_agrees_with_an_independent_implementation(kind):
    ref = QIKIT[kind]
    result = funnel(None, ref["numerator"], ref["denominator"], [f"U{i}" for i in range(8)],
                    kind=kind)
    for column in ("lower_998", "lower_95", "upper_95", "upper_998"):
        assert result.table[column].to_numpy() == pytest.approx(ref[column], abs=1e-9)
    assert result.summary["phi"] == pytest.approx(ref["phi"], rel=1e-12)
    assert math.sqrt(result.summary["tau2"]) == pytest.approx(ref["tau"], rel=1e-9)


# ---------------------------------------------------------------- overdispersion
def test_dispersion_by_hand():
    z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    sd = np.ones(5)
    plain = dispersion(z, sd, winsorise=0)
    assert plain["phi"] == pytest.approx(2.0)  # (4 + 1 + 0 + 1 + 4) / 5
    # Winsorised at 10%: the 10th and 90th percentiles (linear) are -1.6 and 1.6.
    check = dispersion(z, sd, winsorise=0.1)
    assert check["phi"] == pytest.approx((2 * 1.6**2 + 2) / 5)
    assert check["test_statistic"] == pytest.approx(5 * check["phi"])
    assert check["df"] == 4 and check["overdispersed"] is True
    # tau2 = (k phi - (k - 1)) / (sum w - sum w^2 / sum w) with w = 1: (7.12 - 4) / (5 - 1).
    assert check["tau2"] == pytest.approx((5 * 1.424 - 4) / 4)
    assert check["p_value"] == pytest.approx(stats.chi2.sf(5 * 1.424, 4))


def test_dispersion_tau2_is_floored_at_zero():
    check = dispersion([0.1, -0.1, 0.2, -0.2], [1, 1, 1, 1], winsorise=0)
    assert check["overdispersed"] is False
    assert check["tau2"] == 0.0


def _overdispersed_ratios(phi: float, k: int = 4000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    expected = rng.uniform(5_000, 20_000, k)
    observed = np.round(expected + np.sqrt(phi * expected) * rng.standard_normal(k))
    return pd.DataFrame({"unit": [f"U{i}" for i in range(k)], "o": observed, "e": expected})


@pytest.mark.parametrize("phi", [1.0, 2.5])
def test_overdispersion_recovers_a_known_phi(phi):
    data = _overdispersed_ratios(phi)
    plain = funnel(data, "o", "e", "unit", kind="ratio", winsorise=0).summary
    assert plain["phi"] == pytest.approx(phi, rel=0.06)
    # Winsorising normal z-scores at 10% keeps a known share of their variance:
    q = stats.norm.ppf(0.9)
    share = (2 * stats.norm.cdf(q) - 1) - 2 * q * stats.norm.pdf(q) + 0.2 * q**2
    robust = funnel(data, "o", "e", "unit", kind="ratio").summary
    assert robust["phi"] == pytest.approx(share * phi, rel=0.06)


def test_additive_overdispersion_recovers_a_known_tau2():
    rng = np.random.default_rng(11)
    k, tau = 3000, 0.1
    expected = rng.uniform(50, 2000, k)
    true_ratio = np.maximum(1 + tau * rng.standard_normal(k), 0.01)
    observed = rng.poisson(true_ratio * expected)
    result = funnel(None, observed, expected, [f"T{i}" for i in range(k)], kind="ratio",
                    winsorise=0, overdispersion="additive")
    assert result.summary["adjusted"] is True
    assert result.summary["tau2"] == pytest.approx(tau**2, rel=0.2)


def _planted(outlier: int = 230) -> pd.DataFrame:
    numerators = [outlier] + [115] * 9 + [116] * 5
    return pd.DataFrame({"collaborative": NAMES, "harm": numerators, "admissions": 1000})


def test_adjusted_limits_follow_the_published_formulas():
    data = _overdispersed_ratios(3.0, k=400)
    none = funnel(data, "o", "e", "unit", kind="ratio")
    mult = funnel(data, "o", "e", "unit", kind="ratio", overdispersion="multiplicative")
    add = funnel(data, "o", "e", "unit", kind="ratio", overdispersion="additive")
    phi, tau2 = none.summary["phi"], none.summary["tau2"]
    assert phi > 1 and tau2 > 0 and mult.summary["adjusted"] and add.summary["adjusted"]
    assert mult.summary["phi"] == phi and add.summary["tau2"] == tau2
    s = 1 / np.sqrt(data["e"].to_numpy())
    t = mult.table
    assert np.allclose(t["upper_998"], 1 + Z998 * np.sqrt(phi) * s)
    assert np.allclose(t["lower_95"], 1 - Z95 * np.sqrt(phi) * s)
    assert np.allclose(t["z_adjusted"], t["z"] / np.sqrt(phi))
    t = add.table
    assert np.allclose(t["upper_95"], 1 + Z95 * np.sqrt(s**2 + tau2))
    assert np.allclose(t["z_adjusted"], (t["value"] - 1) / np.sqrt(s**2 + tau2))
    assert "overdispersion" in mult.summary["limits"]
    assert (none.table["above_998"].sum() > mult.table["above_998"].sum())


def test_no_adjustment_when_the_test_finds_none():
    result = funnel(_planted(), "harm", "admissions", "collaborative",
                    overdispersion="additive")
    assert result.summary["overdispersed"] is False
    assert result.summary["adjusted"] is False
    assert result.summary["limits"].startswith("exact binomial")


# ------------------------------------------------------------------------ output
def test_table_shape_order_and_verdicts():
    data = _planted().iloc[::-1].reset_index(drop=True)
    result = funnel(data, numerator="harm", denominator="admissions", unit="collaborative")
    t = result.table
    assert list(t["unit"]) == list(data["collaborative"])
    for column in ("unit", "numerator", "denominator", "value", "target", "z", "lower_95",
                   "upper_95", "lower_998", "upper_998", "above_998", "below_998",
                   "above_95", "below_95", "signal", "verdict"):
        assert column in t.columns
    assert t["target"].iloc[0] == pytest.approx(1845 / 15000)
    assert t["value"].to_numpy() == pytest.approx(data["harm"] / 1000)
    assert np.array_equal(t["above_95"], t["value"] > t["upper_95"])
    assert np.array_equal(t["below_998"], t["value"] < t["lower_998"])
    outlier = t.set_index("unit").loc["North Coast"]
    assert outlier["above_998"] and outlier["above_95"]
    assert outlier["verdict"] == "above 99.8% limit"
    assert outlier["signal"] == "special_cause"
    assert (t["verdict"] == "within limits").sum() == 14
    assert result.summary["k"] == 15


def test_describe_reads_as_alt_text():
    result = funnel(_planted(), "harm", "admissions", "collaborative",
                    units_name="collaboratives")
    assert result.describe() == (
        "15 collaboratives; overall proportion 12.3%; 1 above the 99.8% limit "
        "(North Coast); all others within limits."
    )
    quiet = funnel(_planted(outlier=116), "harm", "admissions", "collaborative")
    assert quiet.describe().endswith("all within limits.")


@pytest.mark.parametrize("direction,signal", [("higher", "improvement"),
                                              ("lower", "concern"),
                                              ("neither", "special_cause")])
def test_direction_sets_the_signal(direction, signal):
    result = funnel(_planted(), "harm", "admissions", "collaborative", direction=direction)
    assert result.table.loc[0, "signal"] == signal
    low = funnel(_planted(outlier=60), "harm", "admissions", "collaborative",
                 direction=direction)
    assert low.table.loc[0, "below_998"]
    opposite = {"improvement": "concern", "concern": "improvement"}.get(signal, signal)
    assert low.table.loc[0, "signal"] == opposite


def test_a_missing_value_keeps_its_row():
    data = _planted().astype({"harm": object})
    data.loc[3, "harm"] = None
    result = funnel(data, "harm", "admissions", "collaborative")
    t = result.table
    assert len(t) == 15 and t.loc[3, "verdict"] == "missing data"
    assert np.isnan(t.loc[3, "value"]) and not t.loc[3, ["above_95", "below_95"]].any()
    assert result.summary["k"] == 14
    assert result.summary["target"] == pytest.approx((1845 - 115) / 14000)
    assert "1 with missing data" in result.describe()


def test_ratio_with_given_target_and_sequences():
    result = funnel(None, numerator=[12, 30, 9], denominator=[10.5, 20.0, 11.2],
                    unit=["A", "B", "C"], kind="ratio", method="normal", target=1.1)
    t = result.table
    assert t["target"].eq(1.1).all()
    assert t.loc[1, "upper_95"] == pytest.approx(1.1 + Z95 * math.sqrt(1.1 / 20))
    assert result.summary["limits"].startswith("normal")


def test_plot_draws_lines_points_and_labels():
    result = funnel(_planted(), "harm", "admissions", "collaborative", title="Harm")
    fig = result.plot()
    ax = fig.axes[0]
    assert fig.alt_text == result.describe()
    styles = {str(line._unscaled_dash_pattern) for line in ax.get_lines()}
    assert len(styles) >= 3  # 99.8%, 95% and target lines look different in greyscale
    assert [text.get_text() for text in ax.texts] == ["North Coast"]
    labels = ax.get_legend_handles_labels()[1]
    assert "Above 99.8% limit" in labels and "Within limits" in labels
    lines = result.lines(points=50)
    assert lines["denominator"].between(799, 1051).all()
    plt.close(ax.figure)
    fig, own = plt.subplots()
    assert funnel(_planted(), "harm", "admissions", "collaborative",
                  overdispersion="additive").plot(ax=own) is fig
    assert own.get_lines()
    plt.close(fig)


# -------------------------------------------------------------------- properties
counts = st.lists(
    st.tuples(st.integers(20, 5000), st.floats(0.02, 0.6)), min_size=3, max_size=25
)


def _frame(pairs) -> pd.DataFrame:
    n = np.array([p[0] for p in pairs])
    r = np.maximum(1, np.floor(n * np.array([p[1] for p in pairs])))
    return pd.DataFrame({"unit": [f"W{i}" for i in range(len(n))], "r": r, "n": n})


@settings(max_examples=40, deadline=None)
@given(counts, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(pairs, rnd):
    data = _frame(pairs)
    order = list(range(len(data)))
    rnd.shuffle(order)
    first = funnel(data, "r", "n", "unit")
    second = funnel(data.iloc[order].reset_index(drop=True), "r", "n", "unit")
    a = first.table.set_index("unit").sort_index()
    b = second.table.set_index("unit").sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    assert first.summary["phi"] == pytest.approx(second.summary["phi"], rel=1e-12)
    assert first.summary["tau2"] == pytest.approx(second.summary["tau2"], rel=1e-9, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(counts, st.integers(2, 9))
def test_scaling_counts_narrows_limits_by_root_c(pairs, c):
    data = _frame(pairs)
    bigger = data.assign(r=data["r"] * c, n=data["n"] * c)
    base = funnel(data, "r", "n", "unit", method="normal")
    scaled = funnel(bigger, "r", "n", "unit", method="normal")
    target = base.summary["target"]
    assert scaled.summary["target"] == pytest.approx(target)
    assert np.allclose(scaled.table["value"], base.table["value"])
    half = (base.table["upper_95"] - target).to_numpy()
    unclipped = base.table["upper_95"].to_numpy() < 1
    assert np.allclose((scaled.table["upper_95"] - target).to_numpy()[unclipped],
                       half[unclipped] / np.sqrt(c))
    assert scaled.summary["phi"] == pytest.approx(c * base.summary["phi"], rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 0.99), st.lists(st.integers(1, 20_000), min_size=1, max_size=20))
def test_exact_limits_nest(theta, sizes):
    inner = exact_limits(theta, sizes, "proportion", 0.95)
    outer = exact_limits(theta, sizes, "proportion", 0.998)
    assert np.all(outer[0] <= inner[0] + 1e-12) and np.all(inner[0] <= inner[1])
    assert np.all(inner[1] <= outer[1] + 1e-12)
    assert np.all((outer[0] >= 0) & (outer[1] <= 1))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.2, 5.0), st.lists(st.floats(0.1, 50_000.0), min_size=1, max_size=20))
def test_exact_poisson_limits_nest(target, sizes):
    inner = exact_limits(target, sizes, "ratio", 0.95)
    outer = exact_limits(target, sizes, "ratio", 0.998)
    assert np.all(outer[0] <= inner[0] + 1e-12) and np.all(inner[0] <= inner[1])
    assert np.all(inner[1] <= outer[1] + 1e-12) and np.all(outer[0] >= 0)


# --------------------------------------------------------------------- bad input
def _error(data, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        funnel(data, **{"numerator": "r", "denominator": "n", "unit": "unit", **kwargs})
    return str(caught.value)


def test_zero_denominator_names_row_unit_and_column():
    message = _error(pd.DataFrame({"unit": ["A", "B"], "r": [1, 0], "n": [10, 0]}))
    assert "Point 2, column 'n'" in message and "for unit 'B'," in message
    assert "more than zero" in message


def test_numerator_above_denominator():
    message = _error(pd.DataFrame({"unit": ["A", "B"], "r": [11, 2], "n": [10, 5]}))
    assert "Point 1, column 'r'" in message and "for unit 'A'," in message
    # ... but a ratio's observed count may exceed its expected count.
    funnel(pd.DataFrame({"unit": ["A", "B"], "r": [11, 2], "n": [10, 5]}),
           "r", "n", "unit", kind="ratio")


def test_negative_and_fractional_counts():
    message = _error(pd.DataFrame({"unit": ["A", "B", "C"], "r": [-1, 2.5, 1],
                                   "n": [10, 5, 7]}))
    assert "cannot be negative" in message and "whole number" in message
    message = _error(pd.DataFrame({"unit": ["A", "B"], "r": [1, 2], "n": [10.5, 5]}))
    assert "column 'n'" in message and "whole number" in message


def test_text_in_a_number_column():
    message = _error(pd.DataFrame({"unit": ["A", "B"], "r": ["3", "n/a"], "n": [10, 5]}))
    assert "Point 2, column 'r'" in message and "'n/a'" in message and "for unit 'B'," in message


def test_duplicate_and_blank_unit_names():
    message = _error(pd.DataFrame({"unit": ["A", "B", "A", ""], "r": [1, 2, 3, 1],
                                   "n": [10, 10, 10, 10]}))
    assert "Point 1, column 'unit'" in message and "Point 3, column 'unit'" in message
    assert "more than one row" in message and "no name" in message


def test_missing_column_and_options():
    message = _error(pd.DataFrame({"unit": ["A"], "r": [1], "n": [10]}), denominator="cases")
    assert "column 'cases'" in message.lower() and "no column" in message and "'n'" in message
    data = pd.DataFrame({"unit": ["A", "B"], "r": [1, 2], "n": [10, 10]})
    with pytest.raises(ValueError, match="kind"):
        funnel(data, "r", "n", "unit", kind="rate")
    with pytest.raises(ValueError, match="overdispersion"):
        funnel(data, "r", "n", "unit", overdispersion="both")
    with pytest.raises(ValueError, match="target"):
        funnel(data, "r", "n", "unit", target=1.5)


def test_no_events_anywhere_is_explained():
    message = _error(pd.DataFrame({"unit": ["A", "B"], "r": [0, 0], "n": [10, 12]}))
    assert "no variation" in message


def test_a_target_out_of_range_says_how_to_write_it():
    data = pd.DataFrame({"unit": ["A", "B"], "r": [1, 2], "n": [10, 10]})
    with pytest.raises(ValueError, match="e.g. 0.05 for 5%"):
        funnel(data, "r", "n", "unit", target=5)
    with pytest.raises(ValueError, match="1 means as many events as expected"):
        funnel(data, "r", "n", "unit", kind="ratio", target=0)
