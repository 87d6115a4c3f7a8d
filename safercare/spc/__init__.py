"""Statistical process control for healthcare: run charts, XmR, attribute and rare-event charts.

One function per chart, each returning an :class:`SPCResult` with ``.table``,
``.summary``, ``.plot()`` and ``.describe()``:

* :func:`xmr` -- individuals chart, Making Data Count v5.0 rules by default;
* :func:`run_chart` -- median and Anhøj rules (or the IHI rules);
* :func:`p_chart`, :func:`u_chart`, :func:`c_chart` -- attribute charts;
* :func:`p_prime`, :func:`u_prime` -- Laney's charts for large denominators;
* :func:`g_chart`, :func:`t_chart` -- rare events (events between, time between).

Rule sets are named profiles (``rules="mdc"``, ``"nhsr"``, ``"anhoej"``, ``"ihi"``) or
your own :class:`Profile`; see :mod:`safercare.spc.profiles`.
"""

from safercare.spc.attribute import c_chart, p_chart, p_prime, u_chart, u_prime
from safercare.spc.profiles import (
    ANHOEJ,
    IHI,
    MDC,
    NHSR,
    PROFILES,
    Profile,
    get_profile,
    rule_lengths_note,
    rules_in_words,
)
from safercare.spc.rare import g_chart, t_chart
from safercare.spc.result import SPCResult
from safercare.spc.run import run_chart
from safercare.spc.xmr import xmr

__all__ = [
    "rule_lengths_note",
    "rules_in_words",
    "ANHOEJ",
    "IHI",
    "MDC",
    "NHSR",
    "PROFILES",
    "Profile",
    "SPCResult",
    "c_chart",
    "g_chart",
    "get_profile",
    "p_chart",
    "p_prime",
    "run_chart",
    "t_chart",
    "u_chart",
    "u_prime",
    "xmr",
]
