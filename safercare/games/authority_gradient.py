"""The authority gradient: a seeded teaching model of whether a junior team member's
concern is voiced, and whether it is acted on.

This is a teaching model. Its parameters are illustrative, not estimates from any study:
they are chosen only so that the model shows the direction the crew resource management
literature describes (a steeper gradient silences more concerns; a briefing that invites
concerns, and graded assertiveness, help). Do not quote its numbers as facts.

The model, in plain words:

* Each concern has a chance of being voiced at the first level ("probe"). That chance is
  set by the gradient (steep, moderate, flat) and raised by a briefing that invites concerns.
* If the concern is voiced but not acted on, a person trained in graded assertiveness may
  escalate to the next level (alert, challenge, emergency), up to ``assertiveness_levels``.
  Each step up is voiced with the same chance as before, and is more likely to be acted on.
* A concern is acted on when any voiced level is acted on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The graded-assertiveness ladder (PACE).
LEVELS: tuple[str, ...] = ("probe", "alert", "challenge", "emergency")
#: Illustrative chance that a junior voices a concern at all, by gradient (no briefing).
VOICE: dict[str, float] = {"steep": 0.30, "moderate": 0.55, "flat": 0.80}
#: Illustrative rise in that chance from a briefing that invites concerns.
BRIEFING_LIFT: float = 0.15
#: Illustrative chance that a voiced concern is acted on, at each level of the ladder.
ACT: tuple[float, ...] = (0.40, 0.55, 0.70, 0.85)
#: Chance that a person goes on to the next level after not being heard.
ESCALATE: float = 0.8


@dataclass(frozen=True)
class GradientResult:
    """One simulated run: ``table`` has one row per concern."""

    gradient: str
    briefing: bool
    assertiveness_levels: int
    table: pd.DataFrame

    @property
    def n(self) -> int:
        """Number of concerns simulated."""
        return len(self.table)

    @property
    def voiced(self) -> int:
        """Concerns voiced at one level or more."""
        return int(self.table["voiced"].sum())

    @property
    def acted(self) -> int:
        """Concerns acted on."""
        return int(self.table["acted"].sum())

    @property
    def voiced_share(self) -> float:
        """Share of concerns voiced."""
        return self.voiced / self.n

    @property
    def acted_share(self) -> float:
        """Share of concerns acted on."""
        return self.acted / self.n

    def describe(self) -> str:
        """The run in words, from its own numbers."""
        brief = "a briefing that invited concerns" if self.briefing else "no briefing"
        return (f"With a {self.gradient} gradient and {brief}, {self.voiced} of {self.n} "
                f"concerns were voiced and {self.acted} of {self.n} were acted on "
                f"(graded assertiveness up to level {self.assertiveness_levels}, "
                f"{LEVELS[self.assertiveness_levels - 1]}).")


def simulate(gradient: str = "steep", briefing: bool = False, assertiveness_levels: int = 1,
             n_concerns: int = 100, seed: int = 0) -> GradientResult:
    """Simulate ``n_concerns`` concerns; vectorised over concerns and levels.

    ``assertiveness_levels`` (1 to 4) is how far up the PACE ladder a person may go:
    1 means a single probe and no escalation; 3 means up to the second challenge.
    """
    if gradient not in VOICE:
        raise ValueError(f"gradient must be one of {sorted(VOICE)}")
    if not 1 <= assertiveness_levels <= len(LEVELS):
        raise ValueError("assertiveness_levels must be 1 to 4")
    rng = np.random.default_rng(seed)
    k = len(LEVELS)
    p_voice = min(VOICE[gradient] + (BRIEFING_LIFT if briefing else 0.0), 0.99)
    first = rng.random(n_concerns) < p_voice
    go_on = rng.random((n_concerns, k)) < ESCALATE
    heard = rng.random((n_concerns, k)) < np.array(ACT)
    allowed = np.arange(k) < assertiveness_levels
    # reached[:, j]: the person speaks at level j (first voiced, escalated each time unheard)
    step_ok = np.ones((n_concerns, k), dtype=bool)
    step_ok[:, 1:] = go_on[:, 1:] & ~heard[:, :-1]
    reached = first[:, None] & np.cumprod(step_ok, axis=1).astype(bool) & allowed
    acted_at = reached & heard
    table = pd.DataFrame({f"voiced_{name}": reached[:, j] for j, name in enumerate(LEVELS)})
    table.insert(0, "concern", np.arange(1, n_concerns + 1))
    table["voiced"] = reached.any(axis=1)
    table["acted"] = acted_at.any(axis=1)
    return GradientResult(gradient, briefing, assertiveness_levels, table)
