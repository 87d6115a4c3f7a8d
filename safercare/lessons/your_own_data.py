"""Lesson 8, *Your own data*: its exercise check.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from safercare.lessons.common import Feedback, no_answer, read_numbers


def check_screened_row(answer: Any, problems: pd.DataFrame) -> Feedback:
    """Lesson 8: the spreadsheet row with more patients screened than were eligible.

    ``problems`` is the table of problems the lesson shows (from
    ``safercare.widgets.upload.problems_table``); the right row is read from it, so the
    check and the table cannot disagree. ``answer`` may be typed as 26, "26" or "row 26".
    """
    found = read_numbers(answer)
    if not found:
        return no_answer("my_answer = 12", answer)
    too_many = problems["problem"].astype(str).str.startswith("this is more than")
    rows = [int(row) for row in problems.loc[too_many, "row"]]
    if found[0] in rows:
        return Feedback(True, f"Row {found[0]:g} has more patients screened than eligible. A "
                              "proportion cannot be above 100%, so one of the two numbers is "
                              "wrong: check both in the audit.")
    if found[0] in {int(row) for row in problems["row"].dropna()}:
        return Feedback(False, f"Row {found[0]:g} does have a problem, but a different one. "
                               "Look for the problem that says *this is more than "
                               "'patients_eligible' on the same row*, and type that row's "
                               "number.")
    return Feedback(False, f"Row {found[0]:g} has no problem in the table. Look for the "
                           "problem that says *this is more than 'patients_eligible' on the "
                           "same row*, and type the number in its **row** column.")
