"""Making Data Count summary icons: decide them (vectorised) and draw them (matplotlib).

Variation icon (from the last point of a series; NHS England, Making Data Count):
    ``common_cause`` (grey), ``special_cause_improving_high`` / ``_low`` (blue),
    ``special_cause_concerning_high`` / ``_low`` (orange), ``special_cause_neither_high`` /
    ``_low`` (purple). For ``higher`` the improving icon is high and the concerning icon
    low; mirrored for ``lower``; for ``neither`` the side of the rule that fired at the
    last point decides, high winning when both fired.

Assurance icon (needs a target and direction ``higher`` or ``lower``):
    the target against the limits in force at the last point. Strictly between the
    limits: ``hit_and_miss`` (the process will sometimes meet it, sometimes not). For
    ``higher``, a target on or above the upper limit: ``fail`` (it will not be met
    without change); on or below the lower limit: ``pass``. Mirrored for ``lower``. A
    target exactly on a limit counts as outside, as MDC SQL does (under the ``"nhsr"``
    profile it is hit and miss, as NHSRplotthedots compares strictly).

Icons are drawn with patches and text, not image files, so they scale, print in
greyscale (a letter inside carries the meaning: H/L arrows, P/F/?) and need no files.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrow
from matplotlib.transforms import ScaledTranslation

from safercare import style

__all__ = ["ASSURANCE_ICONS", "VARIATION_ICONS", "assurance_icons", "draw_assurance_icon",
           "draw_variation_icon", "icon_text", "variation_icons"]

VARIATION_ICONS = (
    "common_cause",
    "special_cause_improving_high",
    "special_cause_improving_low",
    "special_cause_concerning_high",
    "special_cause_concerning_low",
    "special_cause_neither_high",
    "special_cause_neither_low",
)
ASSURANCE_ICONS = ("pass", "fail", "hit_and_miss")

_TEXT = {
    "common_cause": "common cause variation",
    "special_cause_improving_high": "special cause variation: improvement (high values)",
    "special_cause_improving_low": "special cause variation: improvement (low values)",
    "special_cause_concerning_high": "special cause variation: concern (high values)",
    "special_cause_concerning_low": "special cause variation: concern (low values)",
    "special_cause_neither_high": "special cause variation (high values)",
    "special_cause_neither_low": "special cause variation (low values)",
    "pass": "the process will consistently meet the target",
    "fail": "the process will not meet the target without change",
    "hit_and_miss": "the process will sometimes meet the target and sometimes not",
}


def icon_text(icon: str | None) -> str:
    """Plain-English meaning of an icon name."""
    return _TEXT.get(icon or "", "no icon")


def variation_icons(colour: np.ndarray, high: np.ndarray, low: np.ndarray,
                    direction: str) -> np.ndarray:
    """Variation icon names from the last point's colour code and sides (vectorised).

    ``colour`` codes: 0 grey, 1 blue (improvement), 2 orange (concern), 3 purple; a
    negative code (no point) gives ``None``.
    """
    out = np.full(len(colour), "common_cause", dtype=object)
    if direction == "higher":
        out[colour == 1] = "special_cause_improving_high"
        out[colour == 2] = "special_cause_concerning_low"
    elif direction == "lower":
        out[colour == 1] = "special_cause_improving_low"
        out[colour == 2] = "special_cause_concerning_high"
    purple = colour == 3
    out[purple & high] = "special_cause_neither_high"
    out[purple & ~high] = "special_cause_neither_low"
    out[colour < 0] = None
    return out


def assurance_icons(target: float | None, lower: np.ndarray, upper: np.ndarray,
                    direction: str, *, on_limit: str = "outside") -> np.ndarray:
    """Assurance icon names from the target and the limits in force at the last point.

    ``on_limit="outside"`` (default; MDC SQL) counts a target exactly on a limit as
    outside (pass or fail); ``"inside"`` (NHSRplotthedots 0.2.2) as hit and miss.
    """
    out = np.full(len(lower), None, dtype=object)
    if target is None or direction == "neither":
        return out
    ok = ~np.isnan(lower) & ~np.isnan(upper)
    with np.errstate(invalid="ignore"):
        if on_limit == "inside":
            above = ok & (target > upper)
            below = ok & (target < lower)
        else:
            above = ok & (target >= upper)
            below = ok & (target <= lower)
    out[ok] = "hit_and_miss"
    out[above] = "fail" if direction == "higher" else "pass"
    out[below] = "pass" if direction == "higher" else "fail"
    return out


#: Each icon's width and height, and the gap between the two, in inches.
ICON_INCHES = 0.42
ICON_GAP_INCHES = 0.3


def _icon_axes(ax: Axes, slot: int) -> Axes:
    """A small square inset above the top-right corner of ``ax`` for one icon.

    Its limits are fixed, so shapes are added with ``add_artist``, which (unlike
    ``add_patch``) does not walk each shape's outline to update data limits no one uses.
    """
    # Placed in inches from the chart's top-right corner (worked out at draw time), so the
    # two icons and their labels keep the same size and gap however narrow the panel is.
    corner = ax.figure.dpi_scale_trans + ScaledTranslation(1, 1, ax.transAxes)
    size = ICON_INCHES
    left = -size - (1 - slot) * ICON_GAP_INCHES - (1 - slot) * size
    iax = ax.inset_axes([left, 0.08, size, size], transform=corner)
    iax.set_xlim(-1.3, 1.3)
    iax.set_ylim(-1.3, 1.3)
    iax.set_aspect("equal", adjustable="box")
    iax.set_axis_off()
    iax.set_label(f"icon-{slot}")
    return iax


def draw_variation_icon(ax: Axes, icon: str | None) -> Axes | None:
    """Draw the variation icon above ``ax``: a coloured ring with dots (common cause) or an
    arrow and H/L (special cause, high or low). Returns the inset Axes drawn on."""
    if icon is None:
        return None
    kind = "common" if icon == "common_cause" else icon.split("_")[2]
    colour = {"common": style.GREY, "improving": style.BLUE, "concerning": style.ORANGE,
              "neither": style.PURPLE}[kind]
    iax = _icon_axes(ax, 0)
    iax.add_artist(Circle((0, 0), 1, facecolor="white", edgecolor=colour, linewidth=2.5))
    if icon == "common_cause":
        for dx in (-0.45, 0.0, 0.45):
            iax.add_artist(Circle((dx, 0), 0.15, color=colour))
    else:
        up = icon.endswith("_high")
        sign = 1 if up else -1
        iax.add_artist(FancyArrow(-0.25, -0.55 * sign, 0, 0.6 * sign, width=0.14,
                                 head_width=0.5, head_length=0.45, color=colour))
        iax.text(0.45, 0, "H" if up else "L", ha="center", va="center",
                 fontsize=style.FONT_SIZE - 1, fontweight="bold", color=style.TEXT_COLOUR)
    iax.text(0, -1.45, "Variation", ha="center", va="top", fontsize=style.FONT_SIZE - 3,
             color=style.TEXT_COLOUR)
    return iax


def draw_assurance_icon(ax: Axes, icon: str | None) -> Axes | None:
    """Draw the assurance icon above ``ax``: a ring with P (pass), F (fail) or ? (hit and
    miss). Returns the inset Axes drawn on."""
    if icon is None:
        return None
    colour = {"pass": style.BLUE, "fail": style.ORANGE, "hit_and_miss": style.GREY}[icon]
    iax = _icon_axes(ax, 1)
    iax.add_artist(Circle((0, 0), 1, facecolor="white", edgecolor=colour, linewidth=2.5))
    letter = {"pass": "P", "fail": "F", "hit_and_miss": "?"}[icon]
    iax.text(0, 0, letter, ha="center", va="center", fontsize=style.FONT_SIZE + 1,
             fontweight="bold", color=style.TEXT_COLOUR)
    iax.text(0, -1.45, "Assurance", ha="center", va="top", fontsize=style.FONT_SIZE - 3,
             color=style.TEXT_COLOUR)
    return iax
