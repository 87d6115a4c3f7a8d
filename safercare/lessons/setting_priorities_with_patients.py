"""The lesson *Setting priorities with patients*: its exercise checks, worked out from the
demonstration data (never a hard-coded number).
"""

from __future__ import annotations

from safercare.priorities.demo import DEMO_SIZES, demo_ballots
from safercare.priorities.report import weighting_comparison
from safercare.priorities.scoring import interim_scores


def _clean(answer: object) -> str:
    return " ".join(str(answer).strip().strip("\"'").lower().split())


def biggest_climb() -> str:
    """The topic that equal weighting moves up the most places in the demonstration."""
    cmp = weighting_comparison(interim_scores(demo_ballots()))
    return str(cmp.sort_values(["places_up", "topic"], ascending=[False, True])["topic"].iat[0])


def check_biggest_climb(answer: object) -> bool:
    """Exercise 1: which topic climbs the most places?"""
    right = biggest_climb()
    text = _clean(answer)
    if text in ("", "..."):
        print("Type the topic's name between the quotes, then run the cell again.")
        return False
    if text == right.lower() or (len(text) >= 8 and right.lower().startswith(text)):
        print(f"Yes: '{right}' climbs the most. Patients and carers ranked it near the top, "
              "but there were far fewer of them, so counting every vote once buried it.")
        return True
    print("Not quite. Look at the chart: find the topic whose grey circle is furthest to the "
          "right of its blue square.")
    return False


def top10_with_more_staff(extra_staff: int = 200) -> list[str]:
    """The equal-weighted top 10 when ``extra_staff`` more staff (same views) vote too."""
    sizes = dict(DEMO_SIZES)
    sizes["staff"] += extra_staff
    return interim_scores(demo_ballots(sizes=sizes))["topic"].head(10).tolist()


def check_more_staff(answer: object) -> bool:
    """Exercise 2: does the equal-weighted top 10 change when many more staff vote?"""
    base = set(interim_scores(demo_ballots())["topic"].head(10))
    changed = set(top10_with_more_staff()) != base
    text = _clean(answer)
    if text not in ("yes", "no"):
        print('Type "yes" or "no" between the quotes, then run the cell again.')
        return False
    if (text == "yes") == changed:
        print("Right. " + ("The list changed a little, because the new staff ballots are a new "
                           "random sample, not because staff gained weight." if changed else
                           "The list is the same: staff still count as one group, however many "
                           "of them vote. Only the patients' and carers' votes could change it."))
        return True
    print("Have another look: run the cell that builds the list with 200 more staff and "
          "compare it with the top 10 above.")
    return False
