"""The workshop widgets' behaviour, without a browser (the browser test drives the real page)."""

from __future__ import annotations

import os

from safercare.priorities.store import PrioritiesStore
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
