"""The priority-setting workshop as plain web pages (ipywidgets, served by Voilà).

Three views over one :class:`~safercare.priorities.store.PrioritiesStore`:

* :class:`SuggestionForm` — "What should NHS staff learn to make care safer?" (also used by a
  facilitator to key in printed forms, with ``source="paper"``);
* :class:`VoteForm` — the interim vote: pick and rank up to 10 topics;
* :class:`ResultsView` — the projector screen: the ranking with each constituency counted
  equally, and who has taken part;

and :class:`FacilitatorView` for the shortlist, voting codes to print, the workshop groups,
the groups' rankings and the CSV export. :func:`workshop_app` and :func:`facilitator_app` put
them together.

Serve them with Voilà, no code shown and nothing fetched from the internet::

    python -m safercare.widgets.priorities --db workshop.sqlite3             # participants
    python -m safercare.widgets.priorities --db workshop.sqlite3 --facilitator --port 8867

Every send goes through :class:`safercare.widgets.capture.Sender`: the page says
"Sending…" (in the browser itself, so a dead kernel can never look like a success), then the
confirmation and receipt the store returned, or that it was NOT saved and why, with the words
left in the box. A database that cannot be used gives one plain message instead of the forms.

The widgets compute nothing: the store screens and saves, :mod:`safercare.priorities.scoring`
ranks. Every piece of text that came from a person is passed through :func:`html.escape`
before it is shown, so HTML or script typed by one person is shown as text and never runs.
Every control has a visible label (its ``description``) and a tooltip, text is large and high
contrast (black on white; NHS blue buttons with white text), and the focus outline is thick
and yellow, so the pages work by keyboard, with a screen reader and on a projector.
"""

from __future__ import annotations

import html
import sys
import traceback
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import ipywidgets as w

from safercare.errors import DataError
from safercare.priorities.report import priority_table, vote_code_sheet
from safercare.priorities.scoring import (
    MAX_RANKS,
    aggregate_group_ranks,
    allocate_groups,
    interim_scores,
    reshuffle_groups,
)
from safercare.priorities.store import MAX_CODES, SETTINGS, PrioritiesStore, StoreError
from safercare.widgets.capture import Outcome, Sender, Sent, cannot_open, form_box, status_html

__all__ = [
    "APP_CSS",
    "FacilitatorView",
    "ResultsView",
    "SuggestionForm",
    "VoteForm",
    "facilitator_app",
    "main",
    "results_html",
    "voila_command",
    "workshop_app",
]

#: Large, high-contrast styling for the app (applied through an HTML widget).
APP_CSS = """<style>
.sc-app { --jp-widgets-font-size: 20px; --jp-widgets-inline-height: 44px;
  --jp-widgets-inline-label-width: 14em; --jp-widgets-inline-width: 34em;
  --jp-widgets-label-color: #000; --jp-widgets-input-color: #000;
  --jp-widgets-input-border-color: #4c6272;
  font-size: 20px; line-height: 1.5; color: #000; background: #fff; max-width: 60em; }
.sc-app h1 { font-size: 2em; margin: 0.3em 0; }
.sc-app h2 { font-size: 1.5em; margin: 1em 0 0.3em; border-top: 4px solid #005eb8;
  padding-top: 0.4em; }
.sc-app p { margin: 0.3em 0; }
.sc-app .widget-label, .sc-app label, .sc-app select, .sc-app textarea, .sc-app input,
.sc-app button { font-size: 20px !important; color: #000; }
.sc-app textarea { min-height: 6em; }
.sc-app input[type="radio"] { width: 24px; height: 24px; margin-right: 0.4em; }
.sc-app .widget-radio-box label { margin: 0.2em 0; }
.sc-app select[multiple] { min-height: 10em; }
.sc-app button.jupyter-button { height: auto; min-height: 48px; padding: 0.3em 1em;
  width: auto; min-width: 10em; align-self: flex-start;
  border: 2px solid #000; background: #fff; color: #000; }
.sc-app button.jupyter-button.mod-primary { background: #005eb8; color: #fff;
  border-color: #003087; font-weight: bold; }
.sc-app :focus, .sc-app :focus-visible { outline: 4px solid #ffb81c !important;
  outline-offset: 2px; }
.sc-app .sc-ok { color: #006b3d; font-weight: bold; }
.sc-app .sc-sending { color: #000; font-weight: bold; }
.sc-app .sc-refused { color: #000; background: #fff3cd; border-left: 8px solid #b35900;
  padding: 0.4em 0.6em; }
.sc-results { font-size: 26px; }
.sc-results table { border-collapse: collapse; margin: 0.5em 0; }
.sc-results caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
.sc-results th, .sc-results td { border: 2px solid #000; padding: 0.25em 0.6em;
  text-align: left; vertical-align: top; }
.sc-results th { background: #e8edee; }
.sc-results td.num { text-align: right; }
</style>"""

_I_AM = [("A patient or carer", "patient_carer"), ("A member of staff", "staff"),
         ("Both", "both")]


def _label_style() -> dict[str, str]:
    return {"description_width": "initial"}


def _heading(text: str, level: int = 2) -> w.HTML:
    return w.HTML(f"<h{level}>{html.escape(text)}</h{level}>")


def _status(message: str, ok: bool) -> str:
    return status_html(message, ok)


_WHO_FIRST = ("Please say who you are first: a patient or carer, a member of staff, or both.")
_WORDS_KEPT = "Your words are still in the box."
_CHOICES_KEPT = "Your choices are still on the page."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class SuggestionForm:
    """The anonymous suggestion form; ``.widget`` is what to display."""

    def __init__(self, store: PrioritiesStore, *, source: str = "web",
                 on_saved: Callable[[], None] | None = None):
        self.store = store
        self.source = source
        self.on_saved = on_saved
        self._uid = uuid.uuid4().hex
        title = "Key in a paper form" if source == "paper" else "Suggest a topic"
        intro = w.HTML(
            "<p><strong>What should NHS staff learn to make care safer?</strong></p>"
            "<p>Please do not write your name, anyone else's name, or any contact details. "
            "Your idea is anonymous.</p>"
        )
        self.who = w.RadioButtons(options=_I_AM, value=None, description="I am",
                                  tooltip="Say whether you are a patient or carer, staff, or both",
                                  style=_label_style())
        self.setting = w.Dropdown(options=[("Not given", "")] + [(s, s) for s in SETTINGS],
                                  value="", description="Care setting (optional)",
                                  tooltip="Where the care happens, if you want to say",
                                  style=_label_style())
        self.text = w.Textarea(description="Your idea",
                               placeholder="For example: explain medicines clearly when I go home",
                               tooltip="Write your idea in your own words",
                               style=_label_style(), layout=w.Layout(width="95%"))
        self.send = w.Button(description="Send my idea", button_style="primary",
                             tooltip="Send your idea to the workshop")
        self.status = w.HTML()
        self.count = w.HTML()
        self.sender = Sender(self.send, self.status, self._submit, what="Your idea",
                             kept=_WORDS_KEPT, on_saved=self._saved)
        self.widget = form_box([_heading(title), intro, self.who, self.setting, self.text,
                                self.send, self.status, self.count])
        self.refresh()

    def refresh(self) -> None:
        """Show how many ideas have been received so far."""
        try:
            p = self.store.participation()
        except DataError as error:
            self.count.value = _status(_cannot_read(error), False)
            return
        n = dict(zip(p["constituency"], p["suggestions"], strict=True))
        self.count.value = (
            f"<p>Ideas received so far: <strong>{int(p['suggestions'].sum())}</strong> "
            f"(patients and carers {n['patient_carer']}, staff {n['staff']}, "
            f"both {n['both']}).</p>"
        )

    def _submit(self) -> Outcome:
        if self.who.value is None:
            return Sent(False, _WHO_FIRST)
        return self.store.submit_suggestion(self.text.value, self.who.value,
                                            self.setting.value or None, source=self.source,
                                            uid=self._uid)

    def _saved(self) -> None:
        self.text.value = ""
        self._uid = uuid.uuid4().hex
        self.refresh()
        if self.on_saved is not None:
            self.on_saved()

    def _on_send(self, _button: object = None) -> Outcome:
        """Send the idea (what the button does): "Sending…", then saved or NOT saved."""
        return self.sender.send()


class VoteForm:
    """The interim vote: up to 10 ranked choices from the long list."""

    def __init__(self, store: PrioritiesStore, *,
                 on_vote: Callable[[], None] | None = None):
        self.store = store
        self.on_vote = on_vote
        self._uid = uuid.uuid4().hex
        intro = w.HTML(
            f"<p>Choose up to {MAX_RANKS} topics, in order. Put the one that matters most to you "
            "first. You do not have to fill every box.</p>"
        )
        self.code = w.Text(description="Your voting code", placeholder="for example ABCD-EFGH",
                           tooltip="The code on the slip you were given; each code counts once",
                           style=_label_style())
        self.who = w.RadioButtons(options=_I_AM, value=None, description="I am",
                                  tooltip="Say whether you are a patient or carer, staff, or both",
                                  style=_label_style())
        self.choices = [
            w.Dropdown(options=[("No choice", 0)], value=0,
                       description=f"{_ordinal(i)} choice",
                       tooltip=f"The topic you put in place {i}", style=_label_style(),
                       layout=w.Layout(width="95%"))
            for i in range(1, MAX_RANKS + 1)
        ]
        self.reload = w.Button(description="Update the list of topics",
                               tooltip="Load any topics added since you opened this page")
        self.send = w.Button(description="Send my vote", button_style="primary",
                             tooltip="Send your ranked choices")
        self.status = w.HTML()
        self.reload.on_click(lambda _b: self.refresh())
        self.sender = Sender(self.send, self.status, self._submit, what="Your vote",
                             kept=_CHOICES_KEPT, on_saved=self._saved)
        self.widget = form_box([_heading("Vote for the topics that matter most"), intro,
                                self.who, self.code, *self.choices,
                                w.HBox([self.send, self.reload]), self.status])
        self.refresh()

    def refresh(self) -> None:
        """Load the current long list into every choice box, keeping choices still valid.

        The voting-code box shows once the facilitator has made codes (then every vote needs
        one)."""
        try:
            topics = self.store.topics()
            codes = self.store.vote_code_counts()["made"]
        except DataError as error:
            self.status.value = _status(_cannot_read(error), False)
            return
        self.code.layout.display = None if codes else "none"
        options = [("No choice", 0)] + [(t, int(i)) for t, i in zip(topics["title"], topics["id"],
                                                                      strict=True)]
        valid = {v for _, v in options}
        for box in self.choices:
            keep = box.value if box.value in valid else 0
            box.options = options
            box.value = keep

    def _submit(self) -> Outcome:
        picked = [b.value for b in self.choices if b.value]
        if self.who.value is None:
            return Sent(False, _WHO_FIRST)
        if len(set(picked)) != len(picked):
            return Sent(False, "You chose the same topic twice. Please choose each topic only "
                        "once.")
        return self.store.cast_vote(self.who.value, picked, code=self.code.value or None,
                                    uid=self._uid)

    def _saved(self) -> None:
        self._uid = uuid.uuid4().hex
        self.code.value = ""
        for box in self.choices:
            box.value = 0
        if self.on_vote is not None:
            self.on_vote()

    def _on_send(self, _button: object = None) -> Outcome:
        """Send the vote (what the button does): "Sending…", then counted or NOT counted."""
        return self.sender.send()


def _cannot_read(error: DataError) -> str:
    reason = error.reason if isinstance(error, StoreError) else error.problems[0].what
    return (f"This page cannot read the workshop's database, because {reason}. Please tell "
            "the person running the workshop.")


def results_html(store: PrioritiesStore, top: int = 10) -> str:
    """The projector results as escaped HTML: ranking and participation tables."""
    topics = store.topics()
    ballots = store.ballots()
    p = store.participation()
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(str(r.label))}</th><td class='num'>{r.suggestions}</td>"
        f"<td class='num'>{r.votes}</td></tr>" for r in p.itertuples(index=False)
    )
    parts = [
        "<div class='sc-results'>",
        "<table><caption>Who has taken part</caption><thead><tr><th scope='col'>Who</th>"
        "<th scope='col'>Ideas</th><th scope='col'>Votes</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>",
    ]
    if not ballots:
        parts.append("<p>No votes yet.</p></div>")
        return "".join(parts)
    scores = interim_scores(ballots, topics=topics["title"].tolist())
    table = priority_table(scores, modules={}, top=top)
    body = "".join(
        f"<tr><td class='num'>{r.rank}</td><th scope='row'>{html.escape(str(r.topic))}</th>"
        f"<td class='num'>{r.rank_patient_carer}</td><td class='num'>{r.rank_staff}</td></tr>"
        for r in table.itertuples(index=False)
    )
    parts.append(
        "<table><caption>Top topics so far (each group counts equally)</caption><thead><tr>"
        "<th scope='col'>Place</th><th scope='col'>Topic</th>"
        "<th scope='col'>Patients and carers' place</th><th scope='col'>Staff's place</th>"
        f"</tr></thead><tbody>{body}</tbody></table></div>"
    )
    return "".join(parts)


class ResultsView:
    """The projector screen: live results with a refresh button."""

    def __init__(self, store: PrioritiesStore):
        self.store = store
        self.button = w.Button(description="Refresh results", button_style="primary",
                               tooltip="Show the latest ideas and votes")
        self.output = w.HTML()
        self.button.on_click(lambda _b: self.refresh())
        self.widget = w.VBox([_heading("Results so far"), self.button, self.output])
        self.refresh()

    def refresh(self) -> None:
        """Re-read the store and redraw the tables."""
        try:
            self.output.value = results_html(self.store)
        except DataError as error:
            self.output.value = _status(_cannot_read(error), False)


class FacilitatorView:
    """Shortlisting, workshop groups, group rankings, voting codes, final results and export.

    Every button sends through :class:`~safercare.widgets.capture.Sender`, so a step that the
    store could not save says so plainly and keeps what was typed.
    """

    def __init__(self, store: PrioritiesStore):
        self.store = store
        self.round = 0
        #: The last sheet of voting codes written (to open and print), if any.
        self.last_code_sheet: Path | None = None
        self.allocations: list[dict[str, int]] = []
        # Shortlist: merge suggestions into topics.
        self.ideas = w.SelectMultiple(options=[], description="Ideas not yet in a topic",
                                      tooltip="Choose one or more ideas that say the same thing",
                                      style=_label_style(), layout=w.Layout(width="95%"))
        self.title = w.Text(description="New topic title", style=_label_style(),
                            tooltip="A short title for the topic", layout=w.Layout(width="95%"))
        self.make_topic = w.Button(description="Make a topic from the chosen ideas",
                                   button_style="primary",
                                   tooltip="Create the topic and link the chosen ideas to it")
        self.existing = w.Dropdown(options=[], description="Or add them to topic",
                                   style=_label_style(), tooltip="An existing topic",
                                   layout=w.Layout(width="95%"))
        self.add_to = w.Button(description="Add the chosen ideas to this topic",
                               tooltip="Link the chosen ideas to the existing topic")
        self.shortlist_status = w.HTML()
        kept = "What you typed and chose is still on the page."
        Sender(self.make_topic, self.shortlist_status, self._make_topic, what="The topic",
               kept=kept, on_saved=self._after_topic)
        Sender(self.add_to, self.shortlist_status, self._add_to, what="The change", kept=kept,
               on_saved=self.refresh)
        # Voting codes.
        self.n_codes = w.BoundedIntText(value=60, min=1, max=MAX_CODES,
                                        description="How many voting codes",
                                        style=_label_style(),
                                        tooltip="One code for each person who may vote")
        self.make_codes = w.Button(description="Make voting codes to print",
                                   button_style="primary",
                                   tooltip="Write a sheet of one-time codes to print and cut up")
        self.codes_status = w.HTML()
        self.codes_count = w.HTML()
        Sender(self.make_codes, self.codes_status, self._make_codes, what="The new set of codes",
               kept="No codes were made.", on_saved=self._show_codes)
        # Groups.
        self.n_patients = w.BoundedIntText(value=9, min=0, max=200,
                                           description="Patients and carers in the room",
                                           style=_label_style(), tooltip="How many")
        self.n_staff = w.BoundedIntText(value=9, min=0, max=200, description="Staff in the room",
                                        style=_label_style(), tooltip="How many")
        self.n_groups = w.BoundedIntText(value=3, min=1, max=20, description="Number of groups",
                                         style=_label_style(), tooltip="How many tables")
        self.seed = w.BoundedIntText(value=1, min=0, max=10**9, description="Seed",
                                     style=_label_style(),
                                     tooltip="Any number; the same number gives the same groups")
        self.make_groups = w.Button(description="Make groups for the next round",
                                    button_style="primary",
                                    tooltip="Mixed groups; later rounds reshuffle them")
        self.groups_status = w.HTML()
        self.groups_out = w.HTML()
        Sender(self.make_groups, self.groups_status, self._groups, what="The round of groups",
               kept="Nothing was changed.")
        # Group rankings.
        self.rank_round = w.BoundedIntText(value=1, min=1, max=10, description="Round",
                                           style=_label_style(), tooltip="Which round")
        self.group_name = w.Text(description="Group name", value="Group 1", style=_label_style(),
                                 tooltip="The group whose ranking you are entering")
        self.order = w.Text(description="Topic numbers, best first",
                            placeholder="for example: 3, 1, 7, 2", style=_label_style(),
                            tooltip="The group's order, as numbers from the shortlist below",
                            layout=w.Layout(width="95%"))
        self.save_ranking = w.Button(description="Save this group's ranking",
                                     button_style="primary", tooltip="Store the group's order")
        self.ranking_status = w.HTML()
        self.ranking_out = w.HTML()
        Sender(self.save_ranking, self.ranking_status, self._save_ranking,
               what="The ranking", kept="The numbers you typed are still in the box.",
               on_saved=self._show_final)
        # Export.
        self.export = w.Button(description="Export everything as CSV",
                               tooltip="Write CSV files next to the database")
        self.export_out = w.HTML()
        Sender(self.export, self.export_out, self._export, what="The export",
               kept="Nothing in the workshop was changed.")
        self.results = ResultsView(store)
        self.paper = SuggestionForm(store, source="paper", on_saved=self._after_paper)
        self.widget = w.VBox([
            _heading("Facilitator", 1),
            self.results.widget,
            form_box([_heading("Shortlist: put ideas together into topics"),
                      self.ideas, self.title, self.make_topic, self.existing, self.add_to,
                      self.shortlist_status]),
            self.paper.widget,
            form_box([_heading("Voting codes"), w.HTML(
                "<p>Each code lets one person vote once. Once you make codes, every vote needs "
                "one. Print the sheet, cut it up and give one slip to each person.</p>"),
                self.n_codes, self.make_codes, self.codes_status, self.codes_count]),
            form_box([_heading("Workshop groups"),
                      self.n_patients, self.n_staff, self.n_groups, self.seed, self.make_groups,
                      self.groups_status, self.groups_out]),
            form_box([_heading("Enter a group's ranking"),
                      self.rank_round, self.group_name, self.order, self.save_ranking,
                      self.ranking_status, self.ranking_out]),
            form_box([_heading("Save a copy"), self.export, self.export_out]),
        ])
        self.refresh()

    def _after_paper(self) -> None:
        self.results.refresh()
        self.refresh()

    def refresh(self) -> None:
        """Re-read ideas, topics and voting codes into the lists."""
        ideas = self.store.suggestions()
        free = ideas[ideas["topic_id"].isna()]
        self.ideas.options = [(self._short(t), u) for t, u in zip(free["text"], free["uid"],
                                                                   strict=True)]
        topics = self.store.topics()
        self.existing.options = list(zip(topics["title"], topics["id"].astype(int), strict=True))
        self._count_codes()
        self._show_final()

    @staticmethod
    def _short(text: str, n: int = 90) -> str:
        text = " ".join(str(text).split())
        return text if len(text) <= n else text[: n - 1] + "…"

    def _make_topic(self) -> Outcome:
        try:
            self.store.add_topic(self.title.value, suggestion_uids=list(self.ideas.value))
        except StoreError:
            raise
        except DataError as error:
            return Sent(False, str(error.problems[0].what))
        return Sent(True, f"Topic saved: {self.title.value}")

    def _after_topic(self) -> None:
        self.title.value = ""
        self.refresh()

    def _add_to(self) -> Outcome:
        if self.existing.value is None or not self.ideas.value:
            return Sent(False, "Choose some ideas and a topic first.")
        self.store.link_suggestions(int(self.existing.value), list(self.ideas.value))
        return Sent(True, "Ideas added to the topic.")

    def _make_codes(self) -> Outcome:
        codes = self.store.issue_vote_codes(self.n_codes.value)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(self.store.path).with_name(f"{Path(self.store.path).stem}-voting-codes-"
                                               f"{stamp}.html")
        try:
            path.write_text(vote_code_sheet(codes), encoding="utf-8")
        except OSError as error:
            codes_text = ", ".join(codes)
            return Sent(True, f"Made {len(codes)} voting codes, but the sheet could not be "
                        f"written ({error.strerror}). Copy these codes now, because they are "
                        f"not kept anywhere: {codes_text}")
        self.last_code_sheet = path
        return Sent(True, f"Made {len(codes)} voting codes. Open this file in a browser, print "
                    f"it and cut it into slips: {path}. The codes are kept nowhere else, so "
                    "delete the file once the slips are printed.")

    def _show_codes(self) -> None:
        self._count_codes()

    def _count_codes(self) -> None:
        c = self.store.vote_code_counts()
        if not c["made"]:
            self.codes_count.value = _status(
                "No voting codes yet, so anyone with the page can vote, and vote again. Make "
                "codes before the vote starts.", False)
            return
        self.codes_count.value = (
            f"<p>Voting codes made: <strong>{c['made']}</strong>; used: "
            f"<strong>{c['used']}</strong>; votes refused for a missing, unknown or used code: "
            f"<strong>{c['refused']}</strong>.</p>")

    def _people(self) -> dict[str, str]:
        people = {f"P{i:02d}": "patient_carer" for i in range(1, self.n_patients.value + 1)}
        people |= {f"S{i:02d}": "staff" for i in range(1, self.n_staff.value + 1)}
        return people

    def _groups(self) -> Outcome:
        people = self._people()
        try:
            if self.allocations:
                groups = reshuffle_groups(people, self.n_groups.value, self.allocations,
                                          seed=self.seed.value + len(self.allocations))
            else:
                groups = allocate_groups(people, self.n_groups.value, seed=self.seed.value)
        except DataError as error:
            return Sent(False, error.problems[0].what)
        self.store.record_groups(len(self.allocations) + 1, groups, self.seed.value)
        self.allocations.append(groups)
        by_group: dict[int, list[str]] = {}
        for person, g in sorted(groups.items()):
            by_group.setdefault(g, []).append(person)
        rows = "".join(f"<tr><th scope='row'>Group {g}</th><td>{html.escape(', '.join(m))}</td>"
                       "</tr>" for g, m in sorted(by_group.items()))
        self.groups_out.value = (
            f"<div class='sc-results'><table><caption>Round {len(self.allocations)} groups "
            "(P = patient or carer, S = staff)</caption><tbody>"
            f"{rows}</tbody></table></div>"
        )
        return Sent(True, f"Made and recorded the groups for round {len(self.allocations)}.")

    def _shortlist(self) -> list[str]:
        topics = self.store.topics()
        ballots = self.store.ballots()
        if not ballots:
            return topics["title"].tolist()
        return interim_scores(ballots, topics=topics["title"].tolist())["topic"].tolist()

    def _save_ranking(self) -> Outcome:
        shortlist = self._shortlist()
        try:
            numbers = [int(x) for x in self.order.value.replace(";", ",").split(",") if x.strip()]
        except ValueError:
            return Sent(False, "Please type topic numbers separated by commas.")
        bad = [n for n in numbers if not 1 <= n <= len(shortlist)]
        if not numbers or bad or len(set(numbers)) != len(numbers):
            return Sent(False, f"Please use each number from 1 to {len(shortlist)} at most once.")
        ranking = {shortlist[n - 1]: r for r, n in enumerate(numbers, start=1)}
        self.store.record_group_ranking(self.rank_round.value, self.group_name.value, ranking)
        return Sent(True, f"Saved {self.group_name.value}'s ranking.")

    def _show_final(self) -> None:
        shortlist = self._shortlist()
        numbered = "".join(f"<li>{html.escape(t)}</li>" for t in shortlist)
        rounds = self.store.group_rankings()
        final = ""
        if rounds:
            last = max(rounds)
            table = aggregate_group_ranks(rounds[last], topics=shortlist)
            body = "".join(f"<tr><td class='num'>{r.rank}</td><th scope='row'>"
                           f"{html.escape(str(r.topic))}</th><td class='num'>{r.total:g}</td></tr>"
                           for r in table.head(10).itertuples(index=False))
            final = (f"<table><caption>Final ranking after round {last}</caption><thead><tr>"
                     "<th scope='col'>Place</th><th scope='col'>Topic</th>"
                     "<th scope='col'>Total of places</th></tr></thead>"
                     f"<tbody>{body}</tbody></table>")
        self.ranking_out.value = (f"<div class='sc-results'><p>The shortlist:</p>"
                                  f"<ol>{numbered}</ol>{final}</div>")

    def _export(self) -> Outcome:
        folder = Path(self.store.path).with_suffix("").with_name(
            Path(self.store.path).stem + "-export")
        try:
            paths = self.store.export_csv(folder)
        except OSError as error:
            return Sent(False, f"The files could not be written in {folder} "
                        f"({error.strerror or error}). Check the folder can be written.")
        return Sent(True, f"Saved {len(paths)} files in {folder}")

def _app(children: Sequence[w.Widget]) -> w.VBox:
    box = w.VBox([w.HTML(APP_CSS), *children])
    box.add_class("sc-app")
    return box


_WORKSHOP_HEADER = ("<h1>Help choose what NHS staff learn about safety</h1>"
                    "<p>Patients, carers and staff choose the topics together. Each group "
                    "counts the same, however many people take part.</p>")




def _broken() -> w.HTML:
    """The page shown after an unexpected error: plain words here, the traceback in the
    terminal that serves the page."""
    traceback.print_exc(file=sys.__stderr__)
    return w.HTML("<div role='alert' class='sc-refused'><p><strong>Sorry: this page could not "
                  "start</strong>, because something went wrong on the workshop computer. "
                  "Nothing you type here would be saved. Please tell the person running the "
                  "workshop (the details are in the window that started the page).</p></div>")


def workshop_app(store: PrioritiesStore | None = None) -> w.VBox:
    """The participants' page: suggestion form, interim vote and live results.

    If the database cannot be opened, read or written, the page says so plainly instead of
    showing forms whose sends could not be saved.
    """
    header = w.HTML(_WORKSHOP_HEADER)
    try:
        store = store or PrioritiesStore()
        results = ResultsView(store)
        suggest = SuggestionForm(store, on_saved=results.refresh)
        vote = VoteForm(store, on_vote=results.refresh)
    except DataError as error:
        return _app([header, cannot_open(error, facilitator=False, takes="ideas or votes")])
    except Exception:  # noqa: BLE001 - a page never shows a traceback; the terminal does
        return _app([header, _broken()])
    return _app([header, suggest.widget, vote.widget, results.widget])


def facilitator_app(store: PrioritiesStore | None = None) -> w.VBox:
    """The facilitator's page: results, shortlist, paper forms, codes, groups, rankings, export.

    If the database cannot be used, the page shows the full plain message (which file, what
    is wrong, what to do) instead.
    """
    try:
        store = store or PrioritiesStore()
        view = FacilitatorView(store)
    except DataError as error:
        return _app([_heading("Facilitator", 1), cannot_open(error, facilitator=True)])
    except Exception:  # noqa: BLE001 - a page never shows a traceback; the terminal does
        return _app([_heading("Facilitator", 1), _broken()])
    return _app([view.widget])


#: The app notebooks, shipped inside the package (they are app pages, not lessons, so they
#: live here rather than in the book's ``notebooks/`` folder).
APPS_DIR = Path(__file__).resolve().parent.parent / "priorities" / "apps"


def voila_command(
    facilitator: bool = False, *, port: int = 8866, ip: str = "127.0.0.1",
    token: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the workshop (or facilitator) page.

    See :func:`safercare.live.server.voila_command`: idle pages are culled, pages are
    bounded, and the facilitator page needs ``token`` on any address but this computer's.
    """
    from safercare.live.server import FACILITATOR_LIMITS, ROOM_LIMITS
    from safercare.live.server import voila_command as live_command

    return live_command(_app_notebook(facilitator), port=port, ip=ip, token=token,
                        private=facilitator,
                        limits=FACILITATOR_LIMITS if facilitator else ROOM_LIMITS)


def _app_notebook(facilitator: bool) -> Path:
    return APPS_DIR / ("priorities-facilitator.ipynb" if facilitator
                       else "priorities-workshop.ipynb")


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the workshop page: ``python -m safercare.widgets.priorities [--facilitator]``.

    Options (see :func:`safercare.live.server.main`): ``--db`` (the database file; otherwise
    ``$SAFERCARE_PRIORITIES_DB`` or the default), ``--ip`` (default 127.0.0.1), ``--port``,
    ``--token`` (the facilitator page's secret; a new one is made if none is given),
    ``--max-pages`` and ``--idle-minutes``.
    """
    from safercare.live.server import LiveApp
    from safercare.live.server import main as serve
    from safercare.priorities.store import DB_ENV_VAR, default_db_path

    app = LiveApp(title="the priority-setting workshop", room_page=_app_notebook(False),
                  facilitator_page=_app_notebook(True), data_env_var=DB_ENV_VAR,
                  default_data=default_db_path, open_data=PrioritiesStore)
    serve(app, argv, prog="python -m safercare.widgets.priorities")


if __name__ == "__main__":
    main()
