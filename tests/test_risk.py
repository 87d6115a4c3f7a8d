"""safercare.risk: the measures, the Wilson interval, natural frequencies, reading typed
answers and the icon array (its counts, its shapes and its alt text)."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

from safercare import risk
from safercare.errors import DataError

matplotlib.use("Agg")


def test_absolute_relative_difference_and_nnt():
    assert risk.absolute_risk(30, 1000) == 0.03
    assert risk.relative_risk(0.04, 0.03) == pytest.approx(0.75)
    assert risk.relative_risk_reduction(0.04, 0.03) == pytest.approx(0.25)
    assert risk.risk_difference(0.04, 0.03) == pytest.approx(0.01)
    assert risk.number_needed_to_treat(0.04, 0.03) == 100
    # rounded up, never down: 1 / 0.03 = 33.3 -> 34 people
    assert risk.number_needed_to_treat(0.10, 0.07) == 34
    assert risk.number_needed_to_treat(0.02, 0.03) == 100  # harm, as a positive number
    assert math.isinf(risk.number_needed_to_treat(0.05, 0.05))


@pytest.mark.parametrize(("events", "n", "low", "high"), [
    # Newcombe (1998), table I, method 3 (Wilson score without continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe_1998(events, n, low, high):
    lo, hi = risk.wilson_interval(events, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_interval_is_vectorised_and_stays_in_range():
    lo, hi = risk.wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert lo[0] == 0 and hi[-1] == 1 and np.all((lo >= 0) & (hi <= 1) & (lo < hi))
    assert lo[1] < 0.5 < hi[1] and (lo[1], hi[1]) == pytest.approx((1 - hi[1], 1 - lo[1]))
    with pytest.raises(DataError, match="whole numbers"):
        risk.wilson_interval(11, 10)


@pytest.mark.parametrize(("value", "words"), [
    (0.03, "3 in 100 people"),
    (0.015, "15 in 1,000 people"),  # not "about 2 in 100": that would round by a third
    (0.001, "1 in 1,000 people"),
    (1 / 3, "about 33 in 100 people"),
    (0.000001, "1 in 1,000,000 people"),
])
def test_natural_frequency(value, words):
    assert risk.natural_frequency(value) == words


def test_one_conversation_shares_one_denominator():
    assert risk.choose_denominator(0.03, 0.015) == 1000
    assert risk.natural_frequency(0.0001, 1000) == "fewer than 1 in 1,000 people"
    c = risk.compare(0.02, 0.015)
    assert c.denominator == 1000 and c.counts() == (20, 15)


def test_framing_says_both_and_adds_up():
    f = risk.framing(0.03)
    assert (f.negative, f.positive) == ("3 in 100 people die", "97 in 100 people survive")
    f = risk.framing(0.0125, bad="have a bleed", good="do not")
    assert (f.negative, f.positive) == ("about 13 in 1,000 people have a bleed",
                                        "about 987 in 1,000 people do not")


def test_rate_words_give_the_wilson_range_in_people():
    text = risk.rate_words(30, 1000, outcome="got an infection")
    lo, hi = risk.wilson_interval(30, 1000)
    assert text.startswith("30 of 1,000 people got an infection. That is 3 in 100.")
    assert f"between about {round(lo * 100)} and {round(hi * 100)} in 100." in text
    assert "between about 1 and 4 in 100" in risk.rate_words(6, 300)


def test_comparison_words_relative_absolute_and_nnt():
    c = risk.compare(0.04, relative_reduction=0.25, treatment="the tablet")
    assert c.risk_with == pytest.approx(0.03) and c.denominator == 100
    assert c.relative_words() == "The tablet lowers the risk by 25%."
    assert "4 in 100 people have a stroke. With it, 3 in 100 do." in c.absolute_words()
    assert "1 in 100 people avoid this" in c.absolute_words()
    assert c.nnt_words().startswith("About 100 people need the tablet")
    worse = risk.compare(0.02, 0.03)
    assert "raises the risk by 50%" in worse.relative_words()
    assert "1 more will have a stroke" in worse.nnt_words()
    with pytest.raises(DataError):
        risk.compare(0.02)
    with pytest.raises(DataError, match="more than 100%"):
        risk.compare(0.02, relative_reduction=1.5)


@pytest.mark.parametrize(("typed", "value", "percent"), [
    ("2 in 100", 0.02, False), ("20 in 1,000", 0.02, False), ("1 in 50", 0.02, False),
    ("about 1 out of 50 people", 0.02, False), ("2%", 0.02, True), ("2 per cent", 0.02, True),
    ("two in a hundred", 0.02, False), ("3 per 1000", 0.003, False),
    ("1 in 1,000,000", 0.000001, False),
])
def test_read_frequency(typed, value, percent):
    f = risk.read_frequency(typed)
    assert f.risk == pytest.approx(value) and f.percent is percent


@pytest.mark.parametrize("typed", ["lots", "", "100 in 2", "150%"])
def test_read_frequency_says_what_to_type(typed):
    with pytest.raises(DataError) as error:
        risk.read_frequency(typed)
    assert "answer" in str(error.value)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "abc"])
def test_a_risk_outside_0_to_1_is_refused_plainly(bad):
    with pytest.raises(DataError, match="risk"):
        risk.natural_frequency(bad)


def test_icon_array_draws_every_icon_with_shapes_and_alt_text():
    fig = risk.icon_array(3, 100, n_avoided=1, affected="have a stroke",
                          avoided="avoid it", title="With the tablet")
    ax = fig.axes[0]
    icons, key = ax.collections[:3], ax.collections[3:]
    assert [len(c.get_offsets()) for c in icons] == [3, 1, 96]
    filled, hatched, outlined = icons
    # greyscale-safe: the kinds differ by fill and hatch, not colour alone
    assert filled.get_facecolor()[0][:3].sum() < 0.5
    assert hatched.get_hatch() and not outlined.get_hatch()
    assert tuple(outlined.get_facecolor()[0][:3]) == (1.0, 1.0, 1.0)
    # the key shows one icon of each kind, drawn the same way, beside its label
    assert [len(c.get_offsets()) for c in key] == [1, 1, 1]
    assert [k.get_hatch() for k in key] == [c.get_hatch() for c in icons]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["3 have a stroke", "1 avoid it", "96 do not"]
    assert fig.alt_text == ("With the tablet. An icon array of 100 people: 3 in 100 people "
                            "have a stroke. 3 filled person icons: have a stroke. 1 striped "
                            "person icon: avoid it. 96 outlined person icons: do not.")


def test_icon_array_of_1000_is_a_grid_and_refuses_too_many():
    fig = risk.icon_array(3, 1000, shape="square")
    offsets = np.vstack([c.get_offsets() for c in fig.axes[0].collections[:2]])
    assert len(offsets) == 1000 and len(np.unique(offsets, axis=0)) == 1000
    with pytest.raises(DataError, match="too many"):
        risk.icon_array(1, 10_000)
    with pytest.raises(DataError, match="more than the 100"):
        risk.icon_array(90, 100, n_avoided=20)


def test_pictures_exist_for_every_denominator():
    assert set(risk.PICTURES) == set(risk.DENOMINATORS)
    with pytest.raises(DataError):
        risk.picture_denominator(37)


def test_a_pasted_page_is_refused_not_searched():
    with pytest.raises(DataError, match="characters long"):
        risk.read_frequency("2 in 100 " * 100)


def test_halves_round_up_and_a_tiny_risk_is_framed_both_ways():
    assert risk.natural_frequency(0.025, 100) == "about 3 in 100 people"  # not banker's 2
    f = risk.framing(0.001, denominator=100)
    assert f.negative == "fewer than 1 in 100 people die"
    assert f.positive == "more than 99 in 100 people survive"
