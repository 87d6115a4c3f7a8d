"""A synthetic priority-setting workshop to learn from: many staff, few patients, different views.

Nothing here is real. The people, their suggestions and their votes are made up by a seeded
random generator, so the same seed always gives the same workshop, byte for byte.

The story
    A collaborative asks "What should NHS staff learn to make care safer?". 200 members of
    staff, 20 patients and carers and 6 people who are both answer the interim vote. Staff
    lean towards clinical and measurement topics (falls, sepsis, data); patients and carers
    lean towards being listened to, clear explanations and safe moves between services. With
    every ballot counted once, the staff view swamps the patients'; with each constituency
    counting equally (the James Lind Alliance way) the patients' priorities come through.

How the votes are drawn
    Each person ranks their top 3 to 10 topics (most rank 10). A ranking is a draw from a
    Plackett–Luce model with the constituency's preference weights — done for everyone at
    once with the Gumbel-max trick: add Gumbel noise to the log-weights and sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from safercare.priorities.scoring import (
    Ballot,
    aggregate_group_ranks,
    allocate_groups,
    interim_scores,
    reshuffle_groups,
)

__all__ = ["DEMO_SEED", "DEMO_SIZES", "DEMO_TOPICS", "DemoWorkshop", "demo_ballots",
           "demo_suggestions", "demo_workshop"]

#: The seed of the demonstration workshop shown in the book.
DEMO_SEED = 20140606
#: How many people from each constituency vote in the demonstration.
DEMO_SIZES: dict[str, int] = {"staff": 200, "patient_carer": 20, "both": 6}

#: The long list: topic → (patient/carer preference weight, staff preference weight,
#: an example suggestion in a patient's or carer's words, one in a member of staff's words).
DEMO_TOPICS: dict[str, tuple[float, float, str, str]] = {
    "Listening to patients and families who raise a concern": (
        9.0, 2.0, "When my dad's family said he was not himself, nobody listened.",
        "How to act when a relative tells us something is wrong."),
    "Explaining risks and choices in plain words": (
        7.0, 1.5, "Doctors should explain what could go wrong without jargon.",
        "Shared decision making and talking about risk."),
    "Safe handover when care moves between teams": (
        6.5, 4.0, "Nobody on the new ward knew about my allergy.",
        "Structured handover between shifts and wards."),
    "Getting medicines right at home and after discharge": (
        6.0, 3.0, "I went home with the wrong tablets and no one checked.",
        "Medicines reconciliation at discharge."),
    "Caring safely for people with a learning disability or autism": (
        5.0, 1.5, "Staff need to know how my son shows pain.",
        "Reasonable adjustments for people with a learning disability."),
    "Involving patients as partners in safety work": (
        5.0, 1.0, "Ask patients to help when you change how things are done.",
        "Working with patient safety partners on our projects."),
    "Safe care for people in a mental health crisis": (
        4.5, 2.0, "My daughter waited hours in A&E with nobody checking on her.",
        "Safety for patients in a mental health crisis in emergency care."),
    "Spotting a patient who is getting worse": (
        4.5, 8.0, "Notice sooner when someone is going downhill.",
        "Recognising deterioration and sepsis early."),
    "Being open when things go wrong": (
        4.0, 2.5, "Tell us honestly when a mistake happens.",
        "Duty of candour conversations."),
    "Preventing falls in hospital": (
        2.5, 7.0, "My mum fell twice on the ward.",
        "Falls prevention and measuring falls properly."),
    "Preventing pressure ulcers": (
        2.0, 5.5, "My husband got a bed sore in hospital.",
        "Pressure ulcer prevention and skin checks."),
    "Using data to see if a change really helped": (
        1.0, 6.5, "How do you know things got better?",
        "SPC charts and telling signal from noise."),
    "Testing small changes before rolling them out": (
        1.0, 6.0, "Try things out on a small scale first.",
        "PDSA cycles for front-line teams."),
    "Learning from incidents without blame": (
        2.5, 6.0, "Learn from what went wrong instead of blaming one nurse.",
        "Just culture and learning from incident reports."),
    "Safe staffing and workload": (
        2.0, 6.5, "The ward was so short of staff at night.",
        "Recognised safe staffing levels in emergency care."),
    "Human factors and checklists from other industries": (
        0.8, 4.0, "Pilots use checklists, why not hospitals?",
        "Human factors training and checklists."),
    "Speaking up and feeling safe to raise a concern": (
        2.0, 4.5, "Junior staff should feel able to speak up.",
        "Psychological safety and speaking up."),
    "Reading board reports without overreacting": (
        0.5, 3.0, "Do not change everything because of one bad month.",
        "Reading red-amber-green reports and SPC at board."),
    "Rare but serious events such as never events": (
        1.0, 3.0, "The really serious mistakes that should never happen.",
        "Never events and the time between rare events."),
    "Preventing infections": (
        1.5, 4.0, "Keep hands and equipment clean.",
        "Infection prevention and control."),
}


def demo_ballots(
    seed: int = DEMO_SEED, sizes: dict[str, int] | None = None
) -> list[Ballot]:
    """The demonstration interim vote: one :class:`Ballot` per person, seeded.

    People who are "both" rank with the mean of the two constituencies' weights.
    """
    sizes = dict(DEMO_SIZES if sizes is None else sizes)
    rng = np.random.default_rng(seed)
    topics = list(DEMO_TOPICS)
    weights = np.array([DEMO_TOPICS[t][:2] for t in topics])  # columns: patient, staff
    log_w = {
        "patient_carer": np.log(weights[:, 0]),
        "staff": np.log(weights[:, 1]),
        "both": np.log(weights.mean(axis=1)),
    }
    ballots: list[Ballot] = []
    for constituency in ("patient_carer", "both", "staff"):
        n = sizes.get(constituency, 0)
        if n == 0:
            continue
        utility = log_w[constituency] + rng.gumbel(size=(n, len(topics)))
        order = np.argsort(-utility, axis=1, kind="stable")
        lengths = rng.choice([3, 5, 7, 10], size=n, p=[0.1, 0.15, 0.15, 0.6])
        for row, k in zip(order, lengths, strict=True):
            ranking = {topics[j]: r for r, j in enumerate(row[:k], start=1)}
            ballots.append(Ballot(constituency, ranking))
    return ballots


def demo_suggestions(seed: int = DEMO_SEED, n: int = 120) -> pd.DataFrame:
    """Synthetic gathered suggestions: constituency, setting, text and the topic they became."""
    rng = np.random.default_rng(seed + 1)
    topics = list(DEMO_TOPICS)
    constituency = rng.choice(["staff", "patient_carer", "both"], size=n, p=[0.7, 0.25, 0.05])
    settings = np.array(["Hospital", "GP practice", "Mental health", "Community or home care",
                         "Care home", "Children and young people"])
    setting = settings[rng.integers(0, len(settings), size=n)]
    weights = np.array([DEMO_TOPICS[t][:2] for t in topics])
    pick = np.empty(n, dtype=int)
    for col, c in ((0, "patient_carer"), (1, "staff"), (0, "both")):
        mask = constituency == c
        p = weights[:, col] / weights[:, col].sum()
        pick[mask] = rng.choice(len(topics), size=int(mask.sum()), p=p)
    text = [DEMO_TOPICS[topics[j]][2 if c != "staff" else 3] for j, c in zip(pick, constituency,
                                                                              strict=True)]
    return pd.DataFrame({
        "constituency": constituency,
        "setting": setting,
        "text": text,
        "topic": [topics[j] for j in pick],
    })


@dataclass(frozen=True)
class DemoWorkshop:
    """The whole demonstration: interim vote, shortlist, group rounds and final ranking."""

    ballots: list[Ballot]
    interim: pd.DataFrame
    shortlist: list[str]
    people: dict[str, str]
    groups: list[dict[str, int]]
    rounds: list[dict[str, dict[str, int]]]
    final: pd.DataFrame


def demo_workshop(
    seed: int = DEMO_SEED, shortlist_size: int = 16, n_groups: int = 3
) -> DemoWorkshop:
    """Run the demonstration from interim vote to final ranking, seeded.

    The shortlist is the interim vote's top ``shortlist_size`` topics (equal constituency
    weighting). 18 workshop members (half patients and carers, half staff) sit in
    ``n_groups`` mixed groups for two rounds, reshuffled between rounds; each group ranks the
    shortlist by the mean preference of its members plus a little discussion noise, and the
    final ranking aggregates the second round.
    """
    ballots = demo_ballots(seed)
    interim = interim_scores(ballots, topics=DEMO_TOPICS)
    shortlist = interim["topic"].head(shortlist_size).tolist()
    people = {f"P{i:02d}": "patient_carer" for i in range(1, 10)}
    people |= {f"S{i:02d}": "staff" for i in range(1, 10)}
    rng = np.random.default_rng(seed + 2)
    weights = np.array([DEMO_TOPICS[t][:2] for t in shortlist])
    round1 = allocate_groups(people, n_groups, seed=seed)
    round2 = reshuffle_groups(people, n_groups, [round1], seed=seed + 1)
    rounds = []
    for allocation in (round1, round2):
        rankings: dict[str, dict[str, int]] = {}
        for g in sorted(set(allocation.values())):
            members = [p for p, gg in allocation.items() if gg == g]
            share = np.mean([people[m] == "patient_carer" for m in members])
            pref = np.log(share * weights[:, 0] + (1 - share) * weights[:, 1])
            pref = pref + rng.normal(scale=0.3, size=len(shortlist))
            order = np.argsort(-pref, kind="stable")
            rankings[f"Group {g}"] = {shortlist[j]: r for r, j in enumerate(order, start=1)}
        rounds.append(rankings)
    final = aggregate_group_ranks(rounds[-1], topics=shortlist)
    return DemoWorkshop(ballots, interim, shortlist, people, [round1, round2], rounds, final)
