"""Lesson 22's simulator, safercare.games.authority_gradient: the properties it teaches."""

import pytest

from safercare.games import authority_gradient as ag

SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
def test_voiced_share_falls_as_gradient_steepens(seed):
    shares = [ag.simulate(g, n_concerns=2000, seed=seed).voiced_share
              for g in ("flat", "moderate", "steep")]
    assert shares[0] > shares[1] > shares[2]


@pytest.mark.parametrize("seed", SEEDS)
def test_briefing_raises_voiced_share(seed):
    for g in ag.VOICE:
        assert (ag.simulate(g, True, n_concerns=2000, seed=seed).voiced_share
                > ag.simulate(g, False, n_concerns=2000, seed=seed).voiced_share)


@pytest.mark.parametrize("seed", SEEDS)
def test_graded_assertiveness_raises_acted_share(seed):
    one = ag.simulate("moderate", assertiveness_levels=1, n_concerns=2000, seed=seed)
    three = ag.simulate("moderate", assertiveness_levels=3, n_concerns=2000, seed=seed)
    assert three.acted_share > one.acted_share
    assert three.voiced == one.voiced  # escalation never voices an unvoiced concern


def test_reproducible_by_seed_and_words():
    a, b = ag.simulate(seed=7), ag.simulate(seed=7)
    assert a.table.equals(b.table)
    assert f"{a.voiced} of 100" in a.describe()
    assert (a.table["acted"] <= a.table["voiced"]).all()


def test_bad_inputs():
    with pytest.raises(ValueError):
        ag.simulate("vertical")
    with pytest.raises(ValueError):
        ag.simulate(assertiveness_levels=5)
