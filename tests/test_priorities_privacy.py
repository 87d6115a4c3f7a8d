"""Privacy screening of free text, and that stored text is shown escaped.

``tests/privacy/cases.csv`` is the evaluation set: realistic suggestions with personal details
that must be refused and ordinary ones that must be accepted. Its ``split`` column says how each
case was used: ``dev`` cases were written first and the rules were written against them;
``heldout`` cases (about 30%, chosen by a hash of the text) were written at the same time and
scored once the first version of the rules was done; ``round2`` cases were written after that
first version, ``round3`` after the second, ``round4`` after the third. Each was scored once
before any rule changed in its light (``benchmarks/privacy_screen.py`` gives those first
scores and prints today's).
"""

from __future__ import annotations

import csv
import html
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safercare.priorities.privacy import (
    MAX_LENGTH,
    is_valid_nhs_number,
    normalise_text,
    personal_details,
    screen_text,
)
from safercare.priorities.readability import readability
from safercare.priorities.store import PrioritiesStore
from safercare.widgets.priorities import FacilitatorView, results_html


def _check_digit(nine: str) -> int | None:
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    return 0 if check == 11 else (None if check == 10 else check)


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "401-023-2137", "450 557 3451"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number):
    assert is_valid_nhs_number(number)
    result = screen_text(f"Please check my record {number} before my operation")
    assert not result.ok and result.reasons == ("nhs_number",)
    assert "NHS number" in result.message


@pytest.mark.parametrize("number", ["943 476 5918", "9434765910", "401 023 2138", "123456789"])
def test_invalid_nhs_numbers_fail_the_check_and_are_not_refused_as_such(number):
    assert not is_valid_nhs_number(number)
    assert "nhs_number" not in screen_text(f"code {number} on the form").reasons


def test_a_check_digit_of_ten_is_never_valid():
    nine = next(f"{n:09d}" for n in range(100_000_000, 100_001_000)
                if _check_digit(f"{n:09d}") is None)
    assert not any(is_valid_nhs_number(nine + str(d)) for d in range(10))


@settings(max_examples=100)
@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_valid_nhs_number_is_refused(nine):
    check = _check_digit(nine)
    if check is None:
        return
    number = f"{nine[:3]} {nine[3:6]} {nine[6:]}{check}"
    assert is_valid_nhs_number(number)
    assert "nhs_number" in screen_text(f"My number is {number}.").reasons


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("email me at jo.bloggs@example.org please", "email"),
        ("write to jo (at) example.co.uk", "email"),
        ("ring 07700 900123 any time", "phone"),
        ("ring +44 7700 900123 any time", "phone"),
        ("call +44 (0)20 7946 0958", "phone"),
        ("landline 0113 496 0000", "phone"),
        ("I live at LS1 4AP", "postcode"),
        ("postcode sw1a1aa", "postcode"),
        ("my dad was born 12/03/1956", "date_of_birth"),
        ("born 3 March 1956 and has diabetes", "date_of_birth"),
        ("March 3, 1956 is when she was born", "date_of_birth"),
        ("1956-03-12 was his birthday", "date_of_birth"),
    ],
)
def test_personal_details_are_refused_with_a_kind_message(text, reason):
    result = screen_text(text)
    assert not result.ok
    assert reason in result.reasons
    assert result.message.startswith("Thank you")
    assert "Please take out" in result.message


@pytest.mark.parametrize(
    "text",
    [
        "Staff should listen when families say something is wrong",
        "Teach safe handover between wards, 24 hours a day, 7 days a week",
        "In March 2024 our ward had 12 falls in 1,200 bed days",
        "Explain side effects of my 3 medicines",
        "Use the NEWS2 score and check at 2am",
        "<script>alert('x')</script> teach handover",
    ],
)
def test_ordinary_suggestions_are_accepted(text):
    assert screen_text(text).ok


def test_length_limits():
    assert screen_text("a" * MAX_LENGTH).ok
    too_long = screen_text("a" * (MAX_LENGTH + 1))
    assert not too_long.ok and too_long.reasons == ("too_long",)
    assert not screen_text("   ").ok
    assert screen_text("  ").reasons == ("too_short",)


def test_html_is_stored_as_text_and_shown_escaped(tmp_path):
    store = PrioritiesStore(tmp_path / "p.sqlite3")
    evil = "<img src=x onerror=alert(1)> teach <b>handover</b>"
    saved = store.submit_suggestion(evil, "staff")
    assert saved.ok
    assert store.suggestions()["text"].tolist() == [evil]  # exactly what was typed
    topic = store.add_topic("Handover <script>alert(2)</script>", suggestion_uids=[saved.uid])
    store.cast_vote("staff", [topic])
    page = results_html(store)
    assert "<script>" not in page and html.escape("<script>alert(2)</script>") in page
    view = FacilitatorView(store)
    assert "<script>" not in view.ranking_out.value
    assert "&lt;script&gt;" in view.ranking_out.value


def test_refused_text_is_never_stored_and_the_audit_keeps_only_the_reason(tmp_path):
    store = PrioritiesStore(tmp_path / "p.sqlite3")
    result = store.submit_suggestion("My NHS number is 943 476 5919", "patient_carer")
    assert not result.ok
    assert store.suggestions().empty
    log = store.audit_log()
    assert log["action"].tolist() == ["suggestion_refused"]
    assert "943" not in log["detail"].iat[0] and "nhs_number" in log["detail"].iat[0]


# ---------------------------------------------------------------------------------------------
# The evaluation set
# ---------------------------------------------------------------------------------------------

CASES = Path(__file__).parent / "privacy" / "cases.csv"
REASONS = {"nhs_number", "chi_number", "hospital_number", "ni_number", "email", "phone",
           "postcode", "address", "date_of_birth", "name"}


def _cases() -> list[dict[str, str]]:
    with CASES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_evaluation_set_is_large_varied_and_well_formed():
    rows = _cases()
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts), "a case appears twice"
    assert {r["expected"] for r in rows} == {"refuse", "accept"}
    personal = [r for r in rows if r["expected"] == "refuse"]
    ordinary = [r for r in rows if r["expected"] == "accept"]
    assert len(personal) >= 150 and len(ordinary) >= 150
    assert {r["kind"] for r in personal} == REASONS
    assert {r["kind"] for r in ordinary} == {"ordinary"}
    heldout = [r for r in rows if r["split"] == "heldout"]
    assert 0.2 <= len(heldout) / len([r for r in rows if r["split"] in ("dev", "heldout")]) <= 0.4
    # It really does hold the obfuscations the screen must see through.
    joined = "".join(texts)
    for char in ("\u200b", "\u00a0", "\u202f", "\u2013", "\u2014", "\uff10", "\uff2c", "\uff20"):
        assert char in joined, f"no case uses U+{ord(char):04X}"


def _score(rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    missed = [f"{r['kind']}: {r['text']!r}" for r in rows
              if r["expected"] == "refuse" and screen_text(r["text"]).ok]
    false_alarms = [f"{screen_text(r['text']).reasons}: {r['text']!r}" for r in rows
                    if r["expected"] == "accept" and not screen_text(r["text"]).ok]
    return missed, false_alarms


@pytest.mark.parametrize("split", ["dev", "heldout", "round2", "round3", "round4", None])
def test_at_least_95_percent_refused_and_95_percent_accepted(split):
    rows = [r for r in _cases() if split is None or r["split"] == split]
    personal = sum(r["expected"] == "refuse" for r in rows)
    ordinary = len(rows) - personal
    assert personal and ordinary
    missed, false_alarms = _score(rows)
    caught = 1 - len(missed) / personal
    accepted = 1 - len(false_alarms) / ordinary
    assert caught >= 0.95 and accepted >= 0.95, (
        f"{split or 'all'}: refused {caught:.1%} of personal details, accepted {accepted:.1%} "
        "of ordinary suggestions (need 95% each).\nMissed:\n  " + "\n  ".join(missed)
        + "\nFalse alarms:\n  " + "\n  ".join(false_alarms))


def test_every_refusal_names_what_was_found_without_repeating_it():
    template_words = set()
    for reasons in [(k,) for k in REASONS | {"long_number"}]:
        template_words |= set(re.findall(r"[a-z]+", screen_text_message(reasons).lower()))
    for row in _cases():
        result = screen_text(row["text"])
        if result.ok:
            continue
        assert result.message.startswith("Thank you for your idea. It looks like it has ")
        assert "Please take out the " in result.message and "send your idea again" in result.message
        assert not re.search(r"\d|@", result.message), result.message
        typed = set(re.findall(r"[a-z]+", normalise_text(row["text"]).lower())) - template_words
        echoed = typed & set(re.findall(r"[a-z]+", result.message.lower()))
        assert not echoed, f"{row['text']!r}: the message repeats {echoed}"


def screen_text_message(reasons: tuple[str, ...]) -> str:
    from safercare.priorities.privacy import _message

    return _message(reasons)


@pytest.mark.parametrize("reasons", [(k,) for k in sorted(REASONS | {"long_number"})]
                         + [("phone", "postcode", "name")])
def test_refusal_messages_are_at_a_reading_age_of_about_11(reasons):
    message = screen_text_message(reasons)
    assert readability(message).reading_age <= 11, message


# ---------------------------------------------------------------------------------------------
# Each kind, and the cases named in issue 10
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "reason", "words"),
    [
        # NHS numbers with dots, slashes, odd spacing and autocorrect dashes (issue 10)
        ("my NHS number is 943.476.5919", "nhs_number", "NHS number"),
        ("943/476/5919 is on my letter", "nhs_number", "NHS number"),
        ("my number 9 4 3 4 7 6 5 9 1 9", "nhs_number", "NHS number"),
        ("94 34 76 59 19", "nhs_number", "NHS number"),
        ("NHS number 943\u2013476\u20135919", "nhs_number", "NHS number"),
        ("my NHS number is 943 476 5918", "nhs_number", "NHS number"),  # mistyped, with "NHS"
        ("code 943 476 5918 on the form", "long_number", "long number"),
        ("nhs no.4505573451", "nhs_number", "NHS number"),           # straight after "no."
        # phone numbers
        ("(0113) 496 0123 is the ward", "phone", "phone number"),
        ("+44 (0)20 7946 0958", "phone", "phone number"),
        ("ring 07700\u2013900\u2013123", "phone", "phone number"),
        ("0044 7700 900 123", "phone", "phone number"),
        ("07700 900123 any time", "phone", "phone number"),
        # postcodes
        ("I live at SW1A  1AA", "postcode", "postcode"),
        ("postcode ls14ap", "postcode", "postcode"),
        ("BD7-1DP", "postcode", "postcode"),
        # emails
        ("jo at nhs dot net", "email", "email address"),
        ("jo[at]nhs.net", "email", "email address"),
        ("jo (at) nhs (dot) net", "email", "email address"),
        ("daveh at gmail.com", "email", "email address"),
        # dates of birth
        ("born in May 1950", "date_of_birth", "date of birth"),
        ("DOB 01.02.1948", "date_of_birth", "date of birth"),
        ("March 3, 1956 is when she was born", "date_of_birth", "date of birth"),
        # names
        ("Mrs Patel on ward 4 was not given her insulin", "name", "name"),
        ("Dr. Smith ignored us", "name", "name"),
        ("my mum Jean Smith fell", "name", "name"),
        ("Edna, 88, was not fed", "name", "name"),
        ("mr khan needs help", "name", "name"),
        ("Dr A Patel ignored us", "name", "name"),            # an initial after a title
        ("Mr J. Smith in bed 2", "name", "name"),
        ("her name is Rose Evans", "name", "name"),
        ("Staff nurse Hannah was lovely", "name", "name"),
        ("From Sharon (carer)", "name", "name"),
        # addresses
        ("we live at 12 Acacia Avenue", "address", "home address"),
        ("flat 3 has no lift", "address", "home address"),
        # hospital numbers
        ("MRN 1234567", "hospital_number", "hospital number"),
        ("hospital no. A123456", "hospital_number", "hospital number"),
        ("K1234567", "hospital_number", "hospital number"),
        # National Insurance and CHI numbers
        ("AB 12 34 56 C", "ni_number", "National Insurance number"),
        ("my NI number is QQ123456C", "ni_number", "National Insurance number"),
        ("CHI 1801718881", "chi_number", "CHI number"),
        ("CHI 130870 1364", "chi_number", "CHI number"),  # fails the check: "CHI" is enough
    ],
)
def test_each_kind_is_refused_with_its_own_plain_reason(text, reason, words):
    result = screen_text(text)
    assert not result.ok
    assert reason in result.reasons, result.reasons
    found, take_out = PLAIN_WORDS[reason]
    assert found in result.message and f"Please take out {take_out}" in result.message


PLAIN_WORDS = {
    "nhs_number": ("an NHS number", "the NHS number"),
    "chi_number": ("a CHI number", "the CHI number"),
    "long_number": ("a long number", "the long number"),
    "hospital_number": ("a hospital number", "the hospital number"),
    "ni_number": ("a National Insurance number", "the National Insurance number"),
    "phone": ("a phone number", "the phone number"),
    "postcode": ("a postcode", "the postcode"),
    "email": ("an email address", "the email address"),
    "date_of_birth": ("a date of birth", "the date of birth"),
    "name": ("a person's name", "the name"),
    "address": ("a home address", "the address"),
}


def test_several_details_are_all_named():
    result = screen_text("Mrs Patel, 07700 900123, LS1 4AP")
    assert result.reasons == ("phone", "postcode", "name")
    assert "a phone number, a postcode and a person's name" in result.message
    assert "Please take out the phone number, the postcode and the name" in result.message


@pytest.mark.parametrize(
    "text",
    [
        # the false alarms named in issue 10
        "Always check name and date of birth before giving medicines",
        "ward C5 2nd floor",
        "NICE recommendation 1.2.10",
        "the 5 May 2024 training day",
        # more that look like details and are not
        "her DOB is on the form",
        "Check the NHS number on the wristband",
        "give 500 mg at 10:00",
        "Call 999 in an emergency, or 111 if it is not urgent",
        "Martha's Rule means families can ask for a second opinion",
        "ask the doctor before stopping warfarin",
        "Florence ward needs more staff",
        "Grace, dignity and respect",
        "Find leaflets at nhs.uk",
        "Look at the dot on the chart before giving the dose",
        "Vitamin B12 1 mg injection",
        "Data from 01/04/2023 to 31/03/2024",
        "my dad is 84 and was sent home at 3am",
        "Babies born before 37 weeks need extra checks",
        "2 doses on the way to theatre",
        # helplines and switchboards (03, 08 numbers) belong to organisations, not people
        "Call the carers line on 0800 123 4567",
        "The switchboard is 0300 123 1234",
        # words after weak cues, everyday first names, Title Case
        "Patients transferred from Pinderfields wait hours",
        "a drug called Humira",
        "UNICEF Baby Friendly Initiative",
        "Amber Alert System On The Wards",
        "My Mum And Dad Were Both Ignored",
        "I'm worried about my dad",
        "Will staff be trained in sepsis?",
        "Florence Nightingale used charts",
    ],
)
def test_ordinary_suggestions_that_look_like_details_are_accepted(text):
    result = screen_text(text)
    assert result.ok, result.reasons


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("\uff10\uff17\uff17\uff10\uff10", "07700"),          # full-width digits
        ("\uff2c\uff33\uff11 \uff14\uff21\uff30", "LS1 4AP"),  # full-width letters
        ("jo\uff20nhs.net", "jo@nhs.net"),                   # full-width at sign
        ("943\u200b476\u200c5919\u2060", "9434765919"),      # zero-width space, ZWNJ, joiner
        ("Mrs\u00adPatel", "MrsPatel"),                       # soft hyphen
        ("\ufeffhello", "hello"),                             # byte-order mark
        ("07700\u00a0900\u202f123\u2007", "07700 900 123"),   # no-break, narrow, figure space
        ("a \t\n  b", "a b"),                                 # runs of white space
        ("943\u2013476\u2014591\u22129", "943-476-591-9"),     # en dash, em dash, minus
        ("12\u204403\u20441956", "12/03/1956"),                # fraction slash
        ("Martha\u2019s Rule", "Martha's Rule"),               # curly apostrophe
        ("\u0660\u0667\u0667", "077"),                          # Arabic-Indic digits
    ],
)
def test_normalisation(typed, plain):
    assert normalise_text(typed) == plain


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("NHS\u200b943\u200b476\u200b5919", "nhs_number"),
        ("\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19", "nhs_number"),
        ("call 07700\u00a0900\u00a0123", "phone"),
        ("\uff2c\uff33\uff11 \uff14\uff21\uff30", "postcode"),
        ("jo\u200b@\u200bnhs.net", "email"),
        ("Mrs\u00a0Begum in bay 2", "name"),
        ("born 12\u204403\u20441956", "date_of_birth"),
    ],
)
def test_obfuscated_details_are_refused(text, reason):
    assert reason in personal_details(text)


def test_the_stored_text_is_what_was_typed_even_when_normalised(tmp_path):
    store = PrioritiesStore(tmp_path / "p.sqlite3")
    typed = "Teach\u00a0safe handover \uff11\uff12 hours a day"
    assert store.submit_suggestion(typed, "staff").ok
    assert store.suggestions()["text"].tolist() == [typed]


def test_long_input_is_refused_before_any_pattern_runs():
    # A hostile paste is refused on its length alone, so the work done is bounded.
    result = screen_text("07700 900123 " * 100_000)
    assert result.reasons == ("too_long",)


def test_the_benchmark_runs_and_agrees_with_the_screen():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "privacy_screen.py"
    spec = importlib.util.spec_from_file_location("privacy_screen", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up here
    spec.loader.exec_module(bench)
    lines: list[str] = []
    figures = bench.run(repeats=1, out=lines.append)
    overall = figures["groups"][0]
    missed, false_alarms = _score(_cases())
    assert overall.personal - overall.caught == len(missed)
    assert overall.false_alarms == len(false_alarms)
    assert figures["seconds_per_case"] > 0 and any("time per suggestion" in x for x in lines)
