"""Privacy screening of free text, and that stored text is shown escaped."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safercare.priorities.privacy import MAX_LENGTH, is_valid_nhs_number, screen_text
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
