"""Scoring and aggregation for a James Lind Alliance style priority setting, as pure functions.

The method follows the James Lind Alliance (JLA) Guidebook (version 10, 2021), adapted from
research questions to training topics:

Interim vote (:func:`interim_scores`)
    Each person picks and ranks up to ``max_ranks`` (10) topics. A topic ranked 1st gets
    ``max_ranks`` points, 2nd gets ``max_ranks - 1`` … 10th gets 1 point; a topic a person did
    not pick gets 0 (an *incomplete ballot* is simply a short one). Topics a person ranks
    equal share the points of the places they occupy (two topics tied 1st get
    (10 + 9) / 2 = 9.5 each), so a tie never adds or removes points.

    Scores are worked out **separately for each constituency** (patients and carers; staff)
    as the mean points per person who voted in that constituency, and the combined score is
    the **mean of the constituency scores**: each constituency counts equally however many
    people responded, so 20 patients weigh as much as 200 staff. This is the JLA practice of
    analysing each group's ranking separately and giving the groups equal weight.

    A person who is both a patient or carer *and* a member of staff (constituency ``"both"``)
    is counted once in each of the two constituencies, as JLA partnerships usually do.

Final workshop (:func:`aggregate_group_ranks`)
    Small mixed groups each rank the whole shortlist (nominal group technique). Ranks are
    summed across groups; the lowest total is the top priority. A topic a group did not rank
    is given the mean of the places left over, so an incomplete group ranking neither helps
    nor harms the topics it missed.

Groups (:func:`allocate_groups`, :func:`reshuffle_groups`)
    Seeded, mixed allocation: people are dealt out by constituency so that every group holds
    patients, carers and staff in as equal numbers as possible; a reshuffle between rounds
    tries several seeded allocations and keeps the one that re-pairs the fewest people who
    sat together before.

Every result is a tidy :class:`pandas.DataFrame`; ranks use the "min" method, so tied
topics share a rank and the next rank is skipped (1, 2, 2, 4). Results never depend on the
order ballots arrive in: sums are exact (points are multiples of one half) and ties are
listed alphabetically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = [
    "CONSTITUENCIES",
    "CONSTITUENCY_LABELS",
    "MAX_RANKS",
    "Ballot",
    "aggregate_group_ranks",
    "allocate_groups",
    "ballot_points",
    "interim_scores",
    "repeat_pairs",
    "reshuffle_groups",
]

#: The constituencies that are weighted equally.
CONSTITUENCIES: tuple[str, ...] = ("patient_carer", "staff")
#: The constituencies a person may say they belong to ("both" counts in each).
CONSTITUENCY_LABELS: dict[str, str] = {
    "patient_carer": "Patient or carer",
    "staff": "Member of staff",
    "both": "Both",
}
#: The most topics one person may rank in the interim vote.
MAX_RANKS = 10
#: Decimal places kept when comparing scores, so float noise never splits a true tie.
_SCORE_DECIMALS = 9


@dataclass(frozen=True)
class Ballot:
    """One person's interim vote.

    Attributes:
        constituency: ``"patient_carer"``, ``"staff"`` or ``"both"``.
        ranking: topic → rank (1 is best). Equal ranks are ties; topics left out were not
            picked. Ranks need not be consecutive: only their order matters.
    """

    constituency: str
    ranking: Mapping[str, int]


def _check_constituency(value: str, row: int) -> Problem | None:
    if value in CONSTITUENCY_LABELS:
        return None
    return Problem(
        row=row,
        column="constituency",
        what="this is not one of the constituencies",
        fix="use one of " + ", ".join(repr(c) for c in CONSTITUENCY_LABELS),
        value=str(value),
        unit="ballot",
    )


def ballot_points(ranking: Mapping[str, int], max_ranks: int = MAX_RANKS) -> dict[str, float]:
    """Points for one ballot: ``max_ranks`` for 1st down to 1 for last; ties share their places.

    Ranks are turned into places by their order (so ranks 1, 1, 3 mean two topics share
    places 1–2 and the third is in place 3). Ranking more than ``max_ranks`` topics raises a
    :class:`DataError`.
    """
    if len(ranking) > max_ranks:
        raise DataError(
            Problem(
                row=None,
                column="ranking",
                what=f"this ballot ranks {len(ranking)} topics but the most allowed is {max_ranks}",
                fix=f"keep only the top {max_ranks} topics",
            )
        )
    if not ranking:
        return {}
    topics = list(ranking)
    ranks = np.array([ranking[t] for t in topics], dtype=float)
    # Average place of each tie group: pandas' "average" rank does exactly this.
    places = pd.Series(ranks).rank(method="average").to_numpy()
    points = max_ranks + 1 - places
    return dict(zip(topics, points.tolist(), strict=True))


def _validate_ballots(ballots: Sequence[Ballot], max_ranks: int) -> None:
    problems: list[Problem] = []
    for i, ballot in enumerate(ballots, start=1):
        p = _check_constituency(ballot.constituency, i)
        if p:
            problems.append(p)
        if len(ballot.ranking) > max_ranks:
            problems.append(
                Problem(
                    row=i,
                    column="ranking",
                    what=f"this ballot ranks {len(ballot.ranking)} topics; the most is {max_ranks}",
                    fix=f"keep only the person's top {max_ranks} topics",
                    unit="ballot",
                )
            )
        bad = [t for t, r in ballot.ranking.items()
               if not (isinstance(r, int | np.integer) and r >= 1)]
        if bad:
            problems.append(
                Problem(
                    row=i,
                    column="ranking",
                    what="a rank is not a whole number of 1 or more",
                    fix="give each picked topic a rank 1, 2, 3 …",
                    value=str(ballot.ranking[bad[0]]),
                    unit="ballot",
                )
            )
    if problems:
        raise DataError(problems, source="the ballots")


def interim_scores(
    ballots: Sequence[Ballot],
    topics: Iterable[str] | None = None,
    *,
    max_ranks: int = MAX_RANKS,
) -> pd.DataFrame:
    """Score an interim vote with each constituency weighted equally.

    Args:
        ballots: the votes (any order; the result does not depend on it).
        topics: every topic on the long list, so that topics nobody picked still appear
            (with a score of 0). Defaults to the topics that appear on any ballot.
        max_ranks: the most topics one person may rank (10 in the JLA interim survey).

    Returns:
        One row per topic, best first, with columns ``topic``; for each constituency
        ``points_<c>`` (total points), ``voters_<c>`` (people who picked it), ``score_<c>``
        (mean points per person voting in that constituency) and ``rank_<c>``;
        ``score_pooled``/``rank_pooled`` (every ballot counted once, ignoring constituency —
        shown for comparison only); and ``score`` and ``rank`` (equal constituency weighting:
        the mean of the constituency scores). A constituency with no ballots is left out of
        the mean and its columns are 0, so one group's vote still produces a ranking.
        ``DataFrame.attrs["respondents"]`` holds the number of people in each constituency.
    """
    ballots = list(ballots)
    _validate_ballots(ballots, max_ranks)
    names: set[str] = set(topics) if topics is not None else set()
    for b in ballots:
        names.update(b.ranking)
    order = sorted(names)
    index = {t: i for i, t in enumerate(order)}
    n_topics = len(order)

    # One row per (ballot, picked topic); places within a ballot as in ballot_points.
    which = np.repeat(np.arange(len(ballots)), [len(b.ranking) for b in ballots])
    topic = np.fromiter((index[t] for b in ballots for t in b.ranking), dtype=np.int64,
                        count=len(which))
    rank = np.fromiter((r for b in ballots for r in b.ranking.values()), dtype=float,
                       count=len(which))
    places = pd.Series(rank).groupby(which).rank(method="average").to_numpy()
    # Twice the points are whole numbers, so integer sums are exact and order-free.
    pts = np.rint((max_ranks + 1 - places) * 2).astype(np.int64)
    constituency = np.array([b.constituency for b in ballots], dtype=object)

    def added(rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(topic[rows], weights=None if weights is None else weights[rows],
                           minlength=n_topics).astype(np.int64)

    every = np.ones(len(which), dtype=bool)
    pooled = added(every, pts)
    doubled, voters, respondents = {}, {}, {}
    for c in CONSTITUENCIES:  # two constituencies; "both" counts in each
        member = (constituency == c) | (constituency == "both")
        doubled[c] = added(member[which], pts)
        voters[c] = added(member[which])
        respondents[c] = int(member.sum())
    n_people = len(ballots)

    table = pd.DataFrame({"topic": order})
    present = [c for c in CONSTITUENCIES if respondents[c] > 0]
    combined = np.zeros(n_topics)
    for c in CONSTITUENCIES:
        n = respondents[c]
        score = doubled[c] / (2 * n) if n else np.zeros(n_topics)
        table[f"points_{c}"] = doubled[c] / 2
        table[f"voters_{c}"] = voters[c]
        table[f"score_{c}"] = np.round(score, _SCORE_DECIMALS)
        table[f"rank_{c}"] = _rank_desc(table[f"score_{c}"])
        if n:
            combined = combined + score
    table["score_pooled"] = np.round(pooled / (2 * n_people) if n_people else pooled * 0.0,
                                     _SCORE_DECIMALS)
    table["rank_pooled"] = _rank_desc(table["score_pooled"])
    table["score"] = np.round(combined / max(len(present), 1), _SCORE_DECIMALS)
    table["rank"] = _rank_desc(table["score"])
    table = table.sort_values(["rank", "topic"], kind="stable").reset_index(drop=True)
    table.attrs["respondents"] = dict(respondents)
    table.attrs["people"] = n_people
    table.attrs["max_ranks"] = max_ranks
    return table


def _rank_desc(scores: pd.Series) -> pd.Series:
    """Rank with 1 = highest score; ties share the lower number ("min" method)."""
    return scores.rank(method="min", ascending=False).astype(int)


def aggregate_group_ranks(
    rankings: Mapping[str, Mapping[str, int]],
    topics: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Combine the groups' rankings of the shortlist (nominal group technique).

    Args:
        rankings: group name → (topic → rank, 1 is best). Ties within a group share the mean
            of their places. A topic a group did not rank gets the mean of the places left over.
        topics: the whole shortlist (defaults to every topic any group ranked).

    Returns:
        One row per topic, best first: ``topic``, one ``place_<group>`` column per group, the
        ``total`` and ``mean_place`` across groups, and the ``rank`` (1 = lowest total; ties
        share a rank).
    """
    names: set[str] = set(topics) if topics is not None else set()
    for ranking in rankings.values():
        names.update(ranking)
    order = sorted(names)
    index = {t: i for i, t in enumerate(order)}
    n = len(order)
    if not rankings:
        raise DataError(
            Problem(None, "rankings", "there are no group rankings yet",
                    "enter at least one group's ranking of the shortlist")
        )
    table = pd.DataFrame({"topic": order})
    totals = np.zeros(n)
    for group in sorted(rankings):
        ranking = rankings[group]
        unknown = set(ranking) - set(order)
        if unknown:  # pragma: no cover - only when topics= excludes a ranked topic
            raise DataError(
                Problem(None, f"group {group}", "a ranked topic is not on the shortlist",
                        "add it to the shortlist or remove it from the ranking",
                        value=sorted(unknown)[0])
            )
        ranked = [t for t in order if t in ranking]
        places = np.full(n, np.nan)
        if ranked:
            r = pd.Series([ranking[t] for t in ranked], dtype=float).rank(method="average")
            pos = [index[t] for t in ranked]
            places[pos] = r.to_numpy()
        missing = np.isnan(places)
        if missing.any():
            k = len(ranked)
            places[missing] = (k + 1 + n) / 2  # mean of places k+1 … n
        table[f"place_{group}"] = places
        totals += places
    table["total"] = totals
    table["mean_place"] = np.round(totals / len(rankings), _SCORE_DECIMALS)
    table["rank"] = table["total"].round(_SCORE_DECIMALS).rank(method="min").astype(int)
    return table.sort_values(["rank", "topic"], kind="stable").reset_index(drop=True)


def allocate_groups(
    people: Mapping[str, str],
    n_groups: int,
    *,
    seed: int,
) -> dict[str, int]:
    """Deal people into ``n_groups`` mixed groups, seeded so a facilitator can repeat it.

    People are shuffled within each constituency, then dealt round the groups one
    constituency after another (patients and carers first, then "both", then staff), carrying
    on from where the last constituency stopped. Every group's size differs from every
    other's by at most one, and so does its count of each constituency.

    Args:
        people: person id → constituency.
        n_groups: how many groups (at least 1, at most the number of people).
        seed: random seed; the same seed and people always give the same groups.

    Returns:
        person id → group number (1 … n_groups).
    """
    if n_groups < 1 or n_groups > len(people):
        raise DataError(
            Problem(None, "n_groups", f"{n_groups} groups cannot be made from {len(people)} people",
                    "choose between 1 group and one group per person", value=str(n_groups))
        )
    problems = [p for i, c in enumerate(people.values(), 1) if (p := _check_constituency(c, i))]
    if problems:
        raise DataError(problems, source="the list of people")
    rng = np.random.default_rng(seed)
    groups: dict[str, int] = {}
    slot = 0
    for constituency in ("patient_carer", "both", "staff"):
        members = sorted(p for p, c in people.items() if c == constituency)
        for i in rng.permutation(len(members)):
            groups[members[i]] = slot % n_groups + 1
            slot += 1
    return groups


def repeat_pairs(previous: Sequence[Mapping[str, int]], groups: Mapping[str, int]) -> int:
    """How many pairs of people in ``groups`` already sat together in an earlier round."""
    seen = {pair for old in previous for pair in _pairs(old)}
    return sum(pair in seen for pair in _pairs(groups))


def _pairs(groups: Mapping[str, int]) -> list[tuple[str, str]]:
    """Every pair of people who share a group (each pair once, names in order)."""
    by_group: dict[int, list[str]] = {}
    for person, g in groups.items():
        by_group.setdefault(g, []).append(person)
    return [pair for members in by_group.values() for pair in combinations(sorted(members), 2)]


def reshuffle_groups(
    people: Mapping[str, str],
    n_groups: int,
    previous: Sequence[Mapping[str, int]],
    *,
    seed: int,
    tries: int = 200,
) -> dict[str, int]:
    """New mixed groups for the next round that re-pair as few people as possible.

    Tries ``tries`` seeded allocations (seeds derived from ``seed``) with
    :func:`allocate_groups` and keeps the first with the fewest :func:`repeat_pairs`, so the
    groups stay mixed and balanced and the result is repeatable.
    """
    best: dict[str, int] | None = None
    best_repeats = -1
    seeds = np.random.SeedSequence(seed).generate_state(tries)
    for s in seeds:
        candidate = allocate_groups(people, n_groups, seed=int(s))
        repeats = repeat_pairs(previous, candidate)
        if best is None or repeats < best_repeats:
            best, best_repeats = candidate, repeats
            if repeats == 0:
                break
    assert best is not None
    return best
