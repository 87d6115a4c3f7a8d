"""safercare.widgets.explore: every state computed in Python, escaped, small, and shown
without a script. (The browser side is tests/test_explore_browser.py.)"""

from __future__ import annotations

import base64
import html
import json
import re
import textwrap
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from explore_pilots import dice_explorer, red_bead_explorer  # noqa: E402
from IPython.core.formatters import DisplayFormatter  # noqa: E402

from safercare.widgets import explore  # noqa: E402
from safercare.widgets.explore import (  # noqa: E402
    MAX_STATES,
    NO_SCRIPT_NOTE,
    Choice,
    Explorer,
    Slider,
    Stepper,
    Toggle,
    View,
    words_html,
)


def small_figure(label: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title(label)
    fig.alt_text = f"A chart titled {label}"
    return fig


def toy(render=None, **kwargs) -> Explorer:
    """Colour (3) x tick (2) x step (0-2): 18 states, each chart titled by its state."""
    def draw(state: dict) -> View:
        name = f"{state['colour']} {state['tick']} {state['step']}"
        return View(figure=small_figure(name), words=f"State **{name}**")

    return Explorer("Toy", controls=[
        Choice("colour", "Colour", [("r", "Red"), ("g", "Green"), ("b", "Blue")], default="g"),
        Toggle("tick", "Tick me", default=True),
        Stepper("Steps", steps=2),
    ], render=render or draw, **kwargs)


class Page(HTMLParser):
    """The tags and text a browser with scripts off would show."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def find(self, tag: str, cls: str | None = None) -> list[dict]:
        return [a for t, a in self.tags
                if t == tag and (cls is None or cls in (a.get("class") or "").split())]


def payload(html_text: str) -> dict:
    script = re.search(r"<script>.*?\}\)\((\{.*\})\);</script>", html_text, re.DOTALL)
    assert script, "no payload"
    return json.loads(script.group(1))


def test_states_are_every_combination_last_control_fastest() -> None:
    explorer = toy()
    states = explorer.states()
    assert explorer.n_states == len(states) == 18
    assert states[0] == {"colour": "r", "tick": False, "step": 0}
    assert states[1] == {"colour": "r", "tick": False, "step": 1}
    assert states[3] == {"colour": "r", "tick": True, "step": 0}
    assert states[-1] == {"colour": "b", "tick": True, "step": 2}
    # The page computes a state's position as the same mixed-radix number.
    assert payload(explorer.html())["sizes"] == [3, 2, 3]
    assert states[explorer.first_state()] == {"colour": "g", "tick": True, "step": 0}


def test_the_stepper_state_is_the_step_number_from_zero() -> None:
    stepper = Stepper("Days played", steps=4, name="day")
    assert stepper.values == [0, 1, 2, 3, 4] and stepper.start == 0
    seen = []
    Explorer("Days", [stepper], lambda s: seen.append(s) or View(words=f"Day {s['day']}")).html()
    assert seen == [{"day": d} for d in range(5)]


def test_too_many_states_is_refused_before_anything_is_computed() -> None:
    called = []
    controls = [Slider("a", "A", list(range(11))),
                Choice("b", "B", [(i, str(i)) for i in range(11)])]
    with pytest.raises(ValueError, match=r"11 \(a\) x 11 \(b\) = 121 states.*most allowed is 120"):
        Explorer("Too big", controls, lambda s: called.append(s) or View())
    assert not called and MAX_STATES == 120
    assert Explorer("Allowed", controls, lambda s: View(), max_states=121).n_states == 121


def test_hostile_words_alt_labels_and_table_cells_stay_text() -> None:
    hostile = '</script><script>alert(1)</script><img src=x onerror="alert(2)">'

    def render(state: dict) -> View:
        fig = small_figure("x")
        return View(figure=fig, alt=f'alt "{hostile}', words=f"**{hostile}** {state['w']}",
                    table=pd.DataFrame({hostile: [hostile], "n": [3.0]}))

    explorer = Explorer(f"Title {hostile}", [
        Choice("w", f"Label {hostile}", [(1, f"one {hostile}"), (2, "two")]),
        Slider("s", "Slide", [1, 2], text="{} " + hostile),
        Toggle("t", f"Tick {hostile}"),
    ], render)
    text = explorer.html()
    page = Page(text)
    # The only script is ours, and no element came from the words, labels or table.
    assert text.count("<script") == 1 and text.count("</script>") == 1
    assert len(page.scripts) == 1
    assert not [a for t, a in page.tags if "onerror" in a]
    assert [t for t, _ in page.tags].count("img") == 1
    data = payload(text)
    state = data["states"][0]
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in state[4]
    assert state[4].startswith("<p><strong>&lt;/script&gt;")
    assert "<script" not in state[5] and "&lt;img src=x" in state[5]
    assert "<td>3</td>" in state[5]
    assert state[3] == f'alt "{hostile}'  # alt is set as text by the script (img.alt = ...)
    assert page.find("img")[0]["alt"] == f'alt "{hostile}'  # and escaped in the attribute


def test_words_markup_is_a_small_safe_subset() -> None:
    assert words_html("**Day 1**: *only* chance\nnext line\n\n- one\n- <b>two</b>") == (
        "<p><strong>Day 1</strong>: <em>only</em> chance<br>next line</p>"
        "<ul><li>one</li><li>&lt;b&gt;two&lt;/b&gt;</li></ul>")
    assert words_html("2 * 3 * 4 = 24") == "<p>2 * 3 * 4 = 24</p>"
    assert words_html("") == ""


def test_the_first_state_is_visible_without_a_script() -> None:
    explorer = toy()
    text = explorer.html()
    page = Page(text)
    first = explorer.build().states[explorer.first_state()]
    image = page.find("img", "sc-explore-chart")[0]
    assert image["src"] == "data:image/png;base64," + payload(text)["images"][first[0]]
    assert image["alt"] == "A chart titled g True 0" and "hidden" not in image
    assert "State <strong>g True 0</strong>" in text
    assert html.escape(NO_SCRIPT_NOTE) in text
    assert "disabled" in page.find("fieldset", "sc-explore-controls")[0]
    # The controls start where the first state says: Green chosen, the box ticked.
    assert ["selected" in a for a in page.find("option")] == [False, True, False]
    assert "checked" in page.find("input")[0]


@pytest.fixture(scope="module")
def pilots() -> tuple[Explorer, Explorer]:
    """The red bead and dice pilots, computed once for this module."""
    plt.close("all")  # figures other test modules left open are not the explorers' to close
    return red_bead_explorer(), dice_explorer()


def test_every_control_has_a_label_and_the_words_are_announced(pilots: tuple) -> None:
    explorer = pilots[1]
    page = Page(explorer.html())
    labels = {a["for"] for a in page.find("label")}
    for attrs in page.find("input") + page.find("select"):
        assert attrs["id"] in labels, attrs
    assert page.find("div", "sc-explore-words")[0]["aria-live"] == "polite"
    assert page.find("input")[0]["aria-valuetext"] == "20 points"


def test_pilots_respond_to_every_control_and_stay_small(pilots: tuple) -> None:
    beads, dice = pilots
    assert (beads.n_states, dice.n_states) == (56, 44)
    assert beads.inert_controls() == [] and dice.inert_controls() == []
    # The manager's policy never changes the beads: one chart per day and chart type.
    assert len(beads.build().images) == 12
    assert len(dice.build().images) == 44
    for explorer in (beads, dice):
        size = len(explorer.html().encode("utf-8"))
        assert 50_000 < size < 1_000_000, size
        pngs = [base64.b64decode(i) for i in explorer.build().images]
        assert all(p.startswith(b"\x89PNG") and 3_000 < len(p) < 25_000 for p in pngs)
    assert plt.get_fignums() == []  # every figure was closed after drawing


def test_an_inert_control_is_reported() -> None:
    explorer = Explorer("Inert", [Choice("a", "A", [(1, "one"), (2, "two")]),
                                  Stepper("Steps", steps=1)],
                        lambda s: View(words=f"step {s['step']}"))
    problems = explorer.inert_controls()
    assert len(problems) == 4 and all(p.startswith("Choice 'a'") for p in problems)


def test_an_output_larger_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explore, "MAX_BYTES", 5_000)
    with pytest.raises(ValueError, match=r"bytes; the most allowed is 5,000\. Lower dpi="):
        toy().html()


def test_author_mistakes_get_one_plain_message() -> None:
    plt.close("all")  # only the figures this test makes count at its end

    def no_alt(state: dict) -> View:
        fig, _ = plt.subplots()
        return View(figure=fig, words="x")

    with pytest.raises(ValueError, match="has no alt text"):
        toy(render=no_alt).html()
    with pytest.raises(TypeError, match=r"render returned str .* return a View"):
        toy(render=lambda s: "words").html()
    with pytest.raises(ValueError, match="control names must differ; a is used twice"):
        Explorer("x", [Toggle("a", "A"), Toggle("a", "B")], lambda s: View())
    with pytest.raises(ValueError, match="not one of its option values"):
        Choice("c", "C", [(1, "one"), (2, "two")], default=3)
    with pytest.raises(ValueError, match="give it a visible label"):
        Toggle("t", " ")
    with pytest.raises(ValueError, match="at least 1"):
        Stepper("Days", steps=0)

    def broken(state: dict) -> View:
        raise KeyError("points")

    with pytest.raises(KeyError) as caught:
        toy(render=broken).html()
    assert "while computing the state {'colour': 'r'" in "".join(caught.value.__notes__)
    assert plt.get_fignums() == []


def test_jupyterlab_gets_the_same_html_and_states_are_computed_once() -> None:
    calls = []

    def render(state: dict) -> View:
        calls.append(state)
        return View(words=f"{state['t']}")

    explorer = Explorer("Once", [Toggle("t", "T")], render)
    formats, _ = DisplayFormatter().format(explorer)
    assert 'class="sc-explore"' in formats["text/html"]
    explorer.html()
    assert len(calls) == 2
    # Each display gets its own element ids, so one page can show it twice.
    ids = re.findall(r'<div class="sc-explore" id="([^"]+)"', explorer.html() + explorer.html())
    assert len(set(ids)) == 2


def test_the_documented_example_runs_and_every_control_responds() -> None:
    """The module docstring's example is what an author copies: it must work as written."""
    doc = explore.__doc__
    block = doc[doc.index("::\n", doc.index("Example (")) + 3:doc.index("\nEverything a reader")]
    namespace: dict = {}
    exec(textwrap.dedent(block), namespace)  # noqa: S102  (our own documentation)
    explorer = namespace["explorer"]
    assert explorer.n_states == 12
    assert explorer.inert_controls() == []
    assert "sacked" in explorer.build().states[-1][4]


def test_a_figure_shared_by_several_states_is_drawn_once(monkeypatch):
    import matplotlib.pyplot as plt

    from safercare.widgets import explore as ex

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    fig.alt_text = "A line going up."
    calls = []
    real = ex.figure_png
    monkeypatch.setattr(ex, "figure_png", lambda f, **kw: calls.append(f) or real(f, **kw))
    explorer = ex.Explorer("Shared", [ex.Choice("n", "Number", [(1, "one"), (2, "two"),
                                                                 (3, "three")])],
                           render=lambda s: ex.View(figure=fig, words=f"State {s['n']}."))
    built = explorer.build()
    assert len(calls) == 1 and len(built.images) == 1
    assert {state[0] for state in built.states} == {0}
