"""Scoring of the priority setting: unit tests and property tests (hypothesis)."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safercare.errors import DataError
from safercare.priorities.scoring import (
    Ballot,
    aggregate_group_ranks,
    allocate_groups,
    ballot_points,
    interim_scores,
    repeat_pairs,
    reshuffle_groups,
)

TOPICS = [f"T{i:02d}" for i in range(12)]


# ---------------------------------------------------------------- unit tests
def test_points_for_a_full_ballot_run_from_ten_down():
    ranking = {t: i for i, t in enumerate(TOPICS[:10], start=1)}
    assert list(ballot_points(ranking).values()) == [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]


def test_tied_topics_share_the_points_of_their_places():
    points = ballot_points({"A": 1, "B": 1, "C": 3})
    assert points == {"A": 9.5, "B": 9.5, "C": 8.0}
    three_way = ballot_points({"A": 2, "B": 2, "C": 2, "D": 1})
    assert three_way == {"A": 8.0, "B": 8.0, "C": 8.0, "D": 10.0}


def test_an_incomplete_ballot_scores_only_what_it_ranks():
    table = interim_scores([Ballot("staff", {"A": 1, "B": 2})], topics=["A", "B", "C"])
    points = dict(zip(table["topic"], table["points_staff"], strict=True))
    assert points == {"A": 10.0, "B": 9.0, "C": 0.0}
    assert table.set_index("topic").at["C", "rank"] == 3


def test_too_many_ranks_is_a_plain_error():
    with pytest.raises(DataError, match="ranks 11 topics"):
        interim_scores([Ballot("staff", {t: i for i, t in enumerate(TOPICS[:11], 1)})])


def test_unknown_constituency_and_bad_rank_are_named():
    with pytest.raises(DataError) as info:
        interim_scores([Ballot("visitor", {"A": 1}), Ballot("staff", {"A": 0})])
    text = str(info.value)
    assert "Ballot 1" in text and "'visitor'" in text
    assert "Ballot 2" in text and "whole number of 1 or more" in text


def test_twenty_patients_weigh_as_much_as_two_hundred_staff():
    patients = [Ballot("patient_carer", {"Listening": 1})] * 20
    ballots = patients + [Ballot("staff", {"Falls": 1})] * 200
    table = interim_scores(ballots).set_index("topic")
    assert table.at["Listening", "score"] == table.at["Falls", "score"] == 5.0
    assert table.at["Listening", "rank"] == table.at["Falls", "rank"] == 1
    # Pooled, the staff view wins ten to one.
    assert table.at["Falls", "score_pooled"] == pytest.approx(10 * 200 / 220)
    assert table.at["Listening", "rank_pooled"] == 2


def test_both_counts_in_each_constituency():
    table = interim_scores([Ballot("both", {"A": 1})]).set_index("topic")
    assert table.attrs["respondents"] == {"patient_carer": 1, "staff": 1}
    assert table.at["A", "score_patient_carer"] == table.at["A", "score_staff"] == 10.0


def test_one_constituency_alone_still_gives_a_ranking():
    table = interim_scores([Ballot("staff", {"A": 2, "B": 1})])
    assert table["topic"].tolist() == ["B", "A"]
    assert table["score"].tolist() == [10.0, 9.0]


# ---------------------------------------------------------------- property tests
@st.composite
def ballots_strategy(draw, min_size=0):
    n = draw(st.integers(min_value=min_size, max_value=25))
    out = []
    for _ in range(n):
        constituency = draw(st.sampled_from(["patient_carer", "staff", "both"]))
        chosen = draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=10))
        ranks = draw(st.lists(st.integers(1, 10), min_size=len(chosen), max_size=len(chosen)))
        out.append(Ballot(constituency, dict(zip(chosen, ranks, strict=True))))
    return out


@settings(max_examples=60, deadline=None)
@given(
    patients=ballots_strategy(min_size=1),
    staff=ballots_strategy(min_size=1),
    k_patients=st.integers(1, 6),
    k_staff=st.integers(1, 6),
)
def test_equal_weighting_holds_for_any_constituency_sizes(patients, staff, k_patients, k_staff):
    patients = [Ballot("patient_carer", b.ranking) for b in patients]
    staff = [Ballot("staff", b.ranking) for b in staff]
    base = interim_scores(patients + staff, topics=TOPICS)
    # Duplicating each constituency's ballots any number of times changes nothing combined.
    scaled = interim_scores(patients * k_patients + staff * k_staff, topics=TOPICS)
    pd.testing.assert_series_equal(base["score"], scaled["score"])
    assert base["topic"].tolist() == scaled["topic"].tolist()
    # The combined score is the plain mean of the two constituency scores.
    expected = (base["score_patient_carer"] + base["score_staff"]) / 2
    pd.testing.assert_series_equal(base["score"], expected.round(9), check_names=False)


@settings(max_examples=60, deadline=None)
@given(ballots=ballots_strategy(min_size=1), winner=st.sampled_from(TOPICS), data=st.data())
def test_a_unanimous_first_choice_always_wins(ballots, winner, data):
    unanimous = []
    for b in ballots:
        others = {t: r + 1 for t, r in b.ranking.items() if t != winner}
        if len(others) > 9:
            others.pop(sorted(others)[0])
        unanimous.append(Ballot(b.constituency, {winner: 1, **others}))
    table = interim_scores(unanimous, topics=TOPICS)
    assert table.iloc[0]["topic"] == winner
    assert (table["rank"] == 1).sum() == 1


@settings(max_examples=60, deadline=None)
@given(ballots=ballots_strategy(), seed=st.integers(0, 10_000))
def test_ranks_are_stable_under_reordering_of_ballots(ballots, seed):
    shuffled = list(ballots)
    random.Random(seed).shuffle(shuffled)
    pd.testing.assert_frame_equal(
        interim_scores(ballots, topics=TOPICS), interim_scores(shuffled, topics=TOPICS)
    )


@settings(max_examples=60, deadline=None)
@given(ballots=ballots_strategy(min_size=1))
def test_ties_never_add_or_remove_points(ballots):
    for b in ballots:
        total = sum(ballot_points(b.ranking).values())
        assert total == sum(range(10, 10 - len(b.ranking), -1))


# ---------------------------------------------------------------- nominal group technique
def test_group_ranks_are_summed_and_the_lowest_total_wins():
    table = aggregate_group_ranks({
        "Group 1": {"A": 1, "B": 2, "C": 3},
        "Group 2": {"B": 1, "A": 2, "C": 3},
        "Group 3": {"A": 1, "C": 2, "B": 3},
    })
    assert table["topic"].tolist() == ["A", "B", "C"]
    assert table["total"].tolist() == [4.0, 6.0, 8.0]
    assert table["rank"].tolist() == [1, 2, 3]


def test_a_topic_a_group_missed_gets_the_mean_of_the_places_left():
    table = aggregate_group_ranks({"G": {"A": 1}}, topics=["A", "B", "C"]).set_index("topic")
    assert table.at["B", "place_G"] == table.at["C", "place_G"] == 2.5
    assert table.at["B", "rank"] == table.at["C", "rank"] == 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.permutations(TOPICS[:6]), min_size=1, max_size=5))
def test_each_groups_places_add_up_to_a_full_ranking(orders):
    rankings = {f"G{i}": {t: r for r, t in enumerate(o, 1)} for i, o in enumerate(orders)}
    table = aggregate_group_ranks(rankings)
    assert table["total"].sum() == pytest.approx(len(orders) * 21)
    assert table["rank"].min() == 1


# ---------------------------------------------------------------- groups
def _people(n_patients: int, n_staff: int) -> dict[str, str]:
    people = {f"P{i}": "patient_carer" for i in range(n_patients)}
    return people | {f"S{i}": "staff" for i in range(n_staff)}


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 15), st.integers(0, 30), st.integers(1, 6), st.integers(0, 99))
def test_groups_are_mixed_balanced_and_seeded(n_patients, n_staff, n_groups, seed):
    people = _people(n_patients, n_staff)
    if n_groups > len(people):
        with pytest.raises(DataError):
            allocate_groups(people, n_groups, seed=seed)
        return
    groups = allocate_groups(people, n_groups, seed=seed)
    assert groups == allocate_groups(people, n_groups, seed=seed)
    assert set(groups) == set(people)
    sizes = pd.Series(groups).value_counts().reindex(range(1, n_groups + 1), fill_value=0)
    assert sizes.max() - sizes.min() <= 1
    for constituency in ("patient_carer", "staff"):
        members = [g for p, g in groups.items() if people[p] == constituency]
        counts = pd.Series(members, dtype=int).value_counts().reindex(
            range(1, n_groups + 1), fill_value=0)
        assert counts.max() - counts.min() <= 1


def test_a_reshuffle_repeats_fewer_pairs_than_chance():
    people = _people(9, 9)
    first = allocate_groups(people, 3, seed=1)
    second = reshuffle_groups(people, 3, [first], seed=2)
    assert repeat_pairs([first], first) == 45  # 3 groups of 6: 15 pairs each
    chance = [repeat_pairs([first], allocate_groups(people, 3, seed=s)) for s in range(100, 140)]
    assert repeat_pairs([first], second) <= min(chance)
    assert repeat_pairs([first], second) >= 9  # the pigeonhole minimum for 3 groups of 6
    assert second == reshuffle_groups(people, 3, [first], seed=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from(["patient_carer", "staff", "both"]),
    st.dictionaries(st.sampled_from(TOPICS), st.integers(1, 4), max_size=10)), max_size=15))
def test_interim_scores_add_up_each_ballots_points(votes):
    """The whole-vote table agrees with adding up ballot_points one ballot at a time."""
    table = interim_scores([Ballot(c, r) for c, r in votes], TOPICS).set_index("topic")
    for group in ("patient_carer", "staff"):
        mine = [r for c, r in votes if c in (group, "both")]
        points = dict.fromkeys(TOPICS, 0.0)
        voters = dict.fromkeys(TOPICS, 0)
        for ranking in mine:
            for topic, p in ballot_points(ranking).items():
                points[topic] += p
                voters[topic] += 1
        assert table.attrs["respondents"][group] == len(mine)
        for topic in TOPICS:
            assert table.loc[topic, f"points_{group}"] == pytest.approx(points[topic])
            assert table.loc[topic, f"voters_{group}"] == voters[topic]
