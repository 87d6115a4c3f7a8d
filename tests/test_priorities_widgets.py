"""The workshop widgets' behaviour, without a browser (the browser test drives the real page)."""

from __future__ import annotations

import os
import re
import sqlite3

import ipywidgets as w
import pytest

from safercare.priorities import store as store_module
from safercare.priorities.store import DB_ENV_VAR, PrioritiesStore
from safercare.widgets.capture import FORM_CLASS, SEND_CLASS, STATUS_CLASS
from safercare.widgets.priorities import (
    FacilitatorView,
    SuggestionForm,
    VoteForm,
    facilitator_app,
    voila_command,
    workshop_app,
)


def test_suggestion_form_saves_refuses_and_counts(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    form = SuggestionForm(store)
    form.text.value = "Explain my medicines"
    form._on_send()
    assert "say who you are" in form.status.value and store.suggestions().empty
    form.who.value = "patient_carer"
    form.setting.value = "Hospital"
    form._on_send()
    assert "saved" in form.status.value and form.text.value == ""
    assert "so far: <strong>1</strong>" in form.count.value
    form.text.value = "email me: someone@example.org"
    form._on_send()
    assert "email address" in form.status.value
    assert form.text.value == "email me: someone@example.org"  # kept so the person can edit it
    assert len(store.suggestions()) == 1
    assert store.suggestions()["setting"].tolist() == ["Hospital"]


def test_vote_form_ranks_in_order_and_refuses_duplicates(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    a, b = store.add_topic("Falls"), store.add_topic("Listening")
    voted = []
    form = VoteForm(store, on_vote=lambda: voted.append(1))
    form.who.value = "staff"
    form.choices[0].value = b
    form.choices[2].value = b
    form._on_send()
    assert "same topic twice" in form.status.value and not store.ballots()
    form.choices[2].value = a  # a gap in the boxes is fine: order is what counts
    form._on_send()
    assert "counted" in form.status.value and voted == [1]
    assert store.ballots()[0].ranking == {"Listening": 1, "Falls": 2}
    assert all(c.value == 0 for c in form.choices)
    store.add_topic("Handover")
    form.refresh()
    assert "Handover" in [label for label, _ in form.choices[0].options]


def test_facilitator_view_shortlists_groups_and_ranks(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    ids = [store.submit_suggestion(t, "staff").uid for t in ("Falls at night", "Falls in bay")]
    view = FacilitatorView(store)
    assert len(view.ideas.options) == 2
    view.ideas.value = tuple(ids)
    view.title.value = "Preventing falls"
    view.make_topic.click()
    assert store.topics()["suggestions"].tolist() == [2] and not view.ideas.options
    store.add_topic("Listening")
    view.make_groups.click()
    view.make_groups.click()
    assert "Round 2 groups" in view.groups_out.value
    assert [r for r in store.audit_log()["action"] if r == "groups_allocated"] == [
        "groups_allocated"] * 2
    view.order.value = "2, 1"
    view.save_ranking.click()
    assert "Final ranking after round 1" in view.ranking_out.value
    view.order.value = "1, 1"
    view.save_ranking.click()
    assert "at most once" in view.ranking_status.value
    view.paper.who.value = "both"
    view.paper.text.value = "Keyed in from a paper form"
    view.paper._on_send()
    assert "Keyed in from a paper form" in [label for label, _ in view.ideas.options]
    assert store.suggestions()["source"].tolist() == ["web", "web", "paper"]
    assert "<td class='num'>1</td>" in view.results.output.value  # the paper idea is counted
    view.export.click()
    assert "Saved 5 files" in view.export_out.value


def test_apps_build_and_the_voila_command_uses_the_offline_template(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    assert "sc-app" in workshop_app(store)._dom_classes
    assert "sc-app" in facilitator_app(store)._dom_classes
    argv, env = voila_command(True, port=9999)
    assert argv[3].endswith("priorities-facilitator.ipynb") and "--template=safercare" in argv
    template = env["JUPYTER_PATH"].split(os.pathsep)[0] + "/voila/templates/safercare/index.html.j2"
    assert "fontawesome" in open(template, encoding="utf-8").read()  # it removes the CDN links


def _statuses(widget) -> list[str]:
    """Every value the status line takes from now on, in order."""
    seen: list[str] = []
    widget.observe(lambda change: seen.append(change["new"]), names="value")
    return seen


def _read_only(monkeypatch) -> None:
    real = sqlite3.connect

    def connect(path, *args, **kwargs):
        return real(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(store_module.sqlite3, "connect", connect)


def test_a_send_shows_sending_then_the_stores_receipt(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    form = SuggestionForm(store)
    seen = _statuses(form.status)
    form.who.value = "staff"
    form.text.value = "Teach safe handover"
    form.send.click()
    assert len(seen) == 2 and "Sending…" in seen[0] and "data-sc-sending" in seen[0]
    receipt = store.suggestions()["id"].iat[0]
    assert f"Your receipt is I{receipt}-" in seen[1] and "sc-ok" in seen[1]
    assert SEND_CLASS in form.send._dom_classes and STATUS_CLASS in form.status._dom_classes
    assert FORM_CLASS in form.widget._dom_classes


def test_a_failed_save_says_not_saved_and_keeps_the_words(tmp_path, monkeypatch, capfd):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    form = SuggestionForm(store)
    form.who.value = "patient_carer"
    form.text.value = "Explain my medicines"
    form.send.click()
    assert "has been saved" in form.status.value  # the old confirmation...
    _read_only(monkeypatch)
    form.text.value = "Listen to carers at night"
    seen = _statuses(form.status)
    form.send.click()
    assert "Sending…" in seen[0]
    assert "has been saved" not in form.status.value  # ...never stays after a failed send
    assert "NOT been saved" in form.status.value and "still in the box" in form.status.value
    assert "can only be read" in form.status.value and "sc-refused" in form.status.value
    assert "tell the person running the workshop" in form.status.value
    terminal = capfd.readouterr().err  # the file and the fix go to the facilitator's terminal
    assert "w.sqlite3" not in form.status.value
    assert "w.sqlite3 cannot be used: the database file can only be read" in terminal
    assert "check that the file and its folder can be written".capitalize() in terminal
    assert form.text.value == "Listen to carers at night" and not form.send.disabled
    form.text.value = "Half an emoji \ud83d pasted"
    monkeypatch.undo()
    form.send.click()
    assert "NOT been saved" in form.status.value and "broken character" in form.status.value
    assert form.text.value == "Half an emoji \ud83d pasted"
    assert store.suggestions()["text"].tolist() == ["Explain my medicines"]


def test_a_bug_behind_the_button_still_says_not_saved(tmp_path, monkeypatch):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    form = SuggestionForm(store)
    form.who.value = "staff"
    form.text.value = "Teach safe handover"

    def broken(*args, **kwargs):
        raise RuntimeError("something unexpected")

    monkeypatch.setattr(store, "submit_suggestion", broken)
    form.send.click()
    assert "NOT been saved" in form.status.value and form.text.value == "Teach safe handover"


def test_a_failed_vote_says_not_counted_and_keeps_the_choices(tmp_path, monkeypatch):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    a = store.add_topic("Falls")
    form = VoteForm(store)
    form.who.value = "staff"
    form.choices[0].value = a
    form.send.click()
    assert "counted" in form.status.value
    form.choices[0].value = a
    _read_only(monkeypatch)
    form.send.click()
    assert "Your vote has NOT been saved" in form.status.value
    assert "choices are still on the page" in form.status.value and form.choices[0].value == a


def test_the_vote_form_asks_for_a_code_once_codes_exist(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    a = store.add_topic("Falls")
    view = FacilitatorView(store)
    assert "anyone with the page can vote" in view.codes_count.value
    view.n_codes.value = 2
    view.make_codes.click()
    assert "Made 2 voting codes" in view.codes_status.value
    sheet = view.last_code_sheet.read_text(encoding="utf-8")
    codes = re.findall(r"<p class='code'>([A-Z2-9]{4}-[A-Z2-9]{4})</p>", sheet)
    assert len(codes) == 2 and "@page { size: A4" in sheet
    form = VoteForm(store)
    assert form.code.layout.display is None  # shown now that codes exist
    form.who.value = "patient_carer"
    form.choices[0].value = a
    form.send.click()
    assert "type the voting code" in form.status.value and form.choices[0].value == a
    form.code.value = codes[0]
    form.send.click()
    assert "counted" in form.status.value and form.code.value == ""
    form.code.value = codes[0]
    form.choices[0].value = a
    form.send.click()
    assert "already been used" in form.status.value and form.choices[0].value == a
    view.refresh()
    assert "used: <strong>1</strong>" in view.codes_count.value
    assert "refused for a missing, unknown or used code: <strong>2</strong>" in (
        view.codes_count.value)


@pytest.mark.parametrize("app", [workshop_app, facilitator_app])
def test_a_database_that_cannot_be_used_gives_one_plain_message_on_the_page(
        tmp_path, monkeypatch, capfd, app):
    db = tmp_path / "notes.sqlite3"
    db.write_text("Bring biscuits for the workshop\n" * 20)
    before = db.read_bytes()
    monkeypatch.setenv(DB_ENV_VAR, str(db))
    page = app()
    text = " ".join(getattr(c, "value", "") for c in page.children)
    assert "this file is not a database" in text and "Traceback" not in text
    assert "role='alert'" in text
    assert not any(isinstance(c, w.Button) for c in page.children)
    assert "this file is not a database" in capfd.readouterr().err  # and in the terminal
    assert db.read_bytes() == before


def test_a_facilitator_step_that_cannot_be_saved_says_so_and_keeps_the_typing(tmp_path,
                                                                             monkeypatch):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    uid = store.submit_suggestion("Falls at night", "staff").uid
    view = FacilitatorView(store)
    view.ideas.value = (uid,)
    view.title.value = "Preventing falls"
    _read_only(monkeypatch)
    view.make_topic.click()
    assert "The topic has NOT been saved, because the database file can only be read" in (
        view.shortlist_status.value)
    assert view.title.value == "Preventing falls" and view.ideas.value == (uid,)
    view.n_codes.value = 5
    view.make_codes.click()
    assert "NOT been saved" in view.codes_status.value and view.last_code_sheet is None
    view.export.click()
    assert "NOT been saved" in view.export_out.value


@pytest.mark.parametrize("app", [workshop_app, facilitator_app])
def test_an_unexpected_error_while_building_a_page_is_a_plain_message(tmp_path, monkeypatch,
                                                                       capfd, app):
    from safercare.widgets import priorities

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(priorities.ResultsView, "refresh", broken)
    page = app(PrioritiesStore(tmp_path / "w.sqlite3"))
    text = " ".join(getattr(c, "value", "") for c in page.children)
    assert "this page could not start" in text and "RuntimeError" not in text
    assert "RuntimeError: a bug" in capfd.readouterr().err
