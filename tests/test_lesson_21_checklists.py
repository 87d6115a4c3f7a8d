"""Lesson 21 (work in progress): the roll-out simulator and the checks."""

from safercare.games import checklist_rollout
from safercare.lessons import checklists_and_the_evidence as l21


def test_simulator_is_seeded_and_has_a_stepped_wedge() -> None:
    a, b = checklist_rollout.simulate(1).table, checklist_rollout.simulate(1).table
    assert a.equals(b)
    starts = a[a["checklist"]].groupby("hospital")["month"].min()
    assert starts.nunique() == len(starts)


def test_naive_before_after_overstates_the_effect() -> None:
    for seed in range(4):
        rr, low, high = l21.before_after(seed)
        assert low < rr < high
        assert rr < 1


def test_checks() -> None:
    right = l21.naive_change_percent()
    assert l21.check_naive_change(f"{right:.1f}%")
    assert not l21.check_naive_change("50")
    assert not l21.check_naive_change("")
    assert l21.check_do_confirm("a, c, e")
    assert not l21.check_do_confirm("b")
