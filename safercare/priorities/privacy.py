"""Screen free text for personal details before it is stored.

A topic suggestion is anonymous by design: the form asks for no name or contact details, and
the words a person types are checked here *before* anything is saved. Text that looks as if it
holds any of these is refused, with a kind, plain message that says why and asks the person to
say it another way:

* an **NHS number** — ten digits (often written 3-3-4) that pass the NHS Modulus 11 check
  (NHS Data Dictionary, "NHS Number"): weights 10 … 2 on the first nine digits, the check
  digit is 11 minus the remainder of the sum divided by 11 (11 becomes 0; 10 means the number
  is not valid). Ten digits that fail the check are not an NHS number and are not refused for
  that reason;
* an **email address**;
* a **UK phone number** — 0 followed by 9 or 10 more digits, or +44 / 0044 followed by 9 or
  10 digits, with optional spaces, dashes or brackets;
* a **UK postcode** (the Royal Mail format, e.g. "LS1 4AP", "SW1A 1AA");
* a **date of birth** — any full date (day, month and year, as "12/03/1956", "12-3-56" or
  "12 March 1956"), or the words "date of birth", "DOB" or "born on".

Text is also refused when it is empty or longer than :data:`MAX_LENGTH` characters. Screening
never changes the text: what is stored is exactly what the person typed, and everything shown
later is escaped with :func:`html.escape`, so HTML or script typed by one person is shown as
text and never runs in anyone's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "Screening",
    "is_valid_nhs_number",
    "screen_text",
]

#: The longest suggestion accepted, in characters.
MAX_LENGTH = 500
#: The shortest suggestion accepted, in characters other than spaces.
MIN_LENGTH = 3

_NHS_CANDIDATE = re.compile(r"(?<![\d+])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?!\d)")
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)"  # +44, 0044 or a leading 0
    r"(?:[\s\-()]?\d){9,10}(?![\d])"
)
_POSTCODE = re.compile(
    r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s?[/\-.]\s?(\d{1,2})\s?[/\-.]\s?(\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORD_DATE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+(\d{{4}}|'?\d{{2}})\b"
    rf"|\b(?:{_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b",
    re.IGNORECASE,
)
_DOB_WORDS = re.compile(r"\b(?:date\s+of\s+birth|d\.?o\.?b\.?|born\s+on)\b", re.IGNORECASE)

_WHY = {
    "nhs_number": "an NHS number",
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a postcode",
    "date_of_birth": "a date that could be a date of birth",
}


@dataclass(frozen=True)
class Screening:
    """The outcome of screening one piece of text.

    Attributes:
        ok: true when the text may be stored.
        reasons: short codes for what was found (``"nhs_number"``, ``"email"``, ``"phone"``,
            ``"postcode"``, ``"date_of_birth"``, ``"too_long"``, ``"too_short"``).
        message: a kind, plain-English message for the person (empty when ``ok``).
    """

    ok: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""


def is_valid_nhs_number(digits: str) -> bool:
    """True when ``digits`` (ten digits, spaces and dashes ignored) pass the Modulus 11 check."""
    d = re.sub(r"[ \-]", "", digits)
    if len(d) != 10 or not d.isdigit():
        return False
    total = sum(int(d[i]) * (10 - i) for i in range(9))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(d[9])


def _has_nhs_number(text: str) -> bool:
    return any(is_valid_nhs_number("".join(m.groups())) for m in _NHS_CANDIDATE.finditer(text))


def _has_phone(text: str) -> bool:
    for m in _PHONE.finditer(text):
        raw = m.group().strip().replace("(0)", "")
        digits = re.sub(r"\D", "", raw)
        if raw.startswith("+"):
            digits = "0" + digits[2:]
        elif digits.startswith("0044"):
            digits = "0" + digits[4:]
        if len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0":
            return True
    return False


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _has_date(text: str) -> bool:
    if _DOB_WORDS.search(text):
        return True
    for m in _NUMERIC_DATE.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        # UK order is day/month; accept month/day too, as people write both.
        if _valid_day_month(a, b) or _valid_day_month(b, a):
            return True
    for m in _ISO_DATE.finditer(text):
        if _valid_day_month(int(m.group(3)), int(m.group(2))):
            return True
    for m in _WORD_DATE.finditer(text):
        day = m.group(1) or m.group(3)
        if day and 1 <= int(day) <= 31:
            return True
    return False


def _message(found: list[str]) -> str:
    what = " and ".join(_WHY[f] for f in found) if len(found) <= 2 else (
        ", ".join(_WHY[f] for f in found[:-1]) + " and " + _WHY[found[-1]]
    )
    return (
        f"Thank you for your idea. It looks like it has {what} in it. "
        "To keep everyone safe, we do not keep personal details like these. "
        "Please take them out, say your idea in your own words, and send it again."
    )


def screen_text(
    text: str, *, max_length: int = MAX_LENGTH, min_length: int = MIN_LENGTH
) -> Screening:
    """Check a suggestion before it is stored; see the module docstring for what is refused.

    Returns a :class:`Screening`; when ``ok`` is false its ``message`` is ready to show the
    person (plain text, to be escaped like any other text when shown).
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    stripped = text.strip()
    if len(stripped.replace(" ", "")) < min_length:
        return Screening(
            False,
            ("too_short",),
            "Please write your idea in the box first. A few words are enough.",
        )
    if len(text) > max_length:
        return Screening(
            False,
            ("too_long",),
            f"Thank you. Your idea is {len(text)} characters long, and the most we can take is "
            f"{max_length}. Please make it a little shorter and send it again.",
        )
    found: list[str] = []
    if _has_nhs_number(text):
        found.append("nhs_number")
    if _EMAIL.search(text):
        found.append("email")
    if _has_phone(text):
        found.append("phone")
    if _POSTCODE.search(text):
        found.append("postcode")
    if _has_date(text):
        found.append("date_of_birth")
    if found:
        return Screening(False, tuple(found), _message(found))
    return Screening(True)
