"""PDSA: the log of Plan-Do-Study-Act cycles a team keeps, its charts, and driver diagrams.

Lesson authors start here. Everything is computed first and drawn second; every figure
carries its alt text as ``fig.alt_text``, made from the log or the table.

* :class:`Cycle`, :class:`PDSALog` (:mod:`safercare.pdsa.log`): a validated log with
  CSV import and export, its missed chances (``log.notes``), its ramps of linked
  cycles and a prediction-against-result table.
* :func:`plot_ramp` and :func:`annotate` (:mod:`safercare.pdsa.plot`): cycles by scale
  over time, and each cycle marked on any :mod:`safercare.spc` chart.
* :class:`DriverDiagram` (:mod:`safercare.pdsa.driver`): a driver diagram from a plain
  table (aim, primary driver, secondary driver, change idea), drawn with matplotlib
  only, with a text outline a screen reader can read.

The course's worked example is Plover ward's discharge-before-noon project: the daily
counts (``discharge_before_noon``), its PDSA log (``discharge_pdsa_log``) and its driver
diagram table (``discharge_driver_diagram``), in ``datasets/`` with their answer key.

Example::

    import safercare.spc as spc
    from safercare.data import load
    from safercare.pdsa import DriverDiagram, PDSALog, annotate, plot_ramp

    log = PDSALog.from_frame(load("discharge_pdsa_log"))
    fig = plot_ramp(log)                      # fig.alt_text describes every ramp
    days = load("discharge_before_noon")
    chart = spc.p_chart(days, "discharges_before_noon", "discharges", "date",
                        direction="higher")
    fig = annotate(chart, log)                # a labelled line at each do-date
    log.prediction_vs_result()                # how far off was each prediction?

    dd = DriverDiagram.from_table(load("discharge_driver_diagram"))
    print(dd.outline())                       # the diagram as a nested list
    fig = dd.plot()                           # A4 landscape, fig.alt_text from the table
"""

from safercare.pdsa.driver import DriverDiagram
from safercare.pdsa.log import (
    COLUMNS,
    DECISIONS,
    MAX_BYTES,
    MAX_CYCLES,
    SCALE_UNITS,
    Cycle,
    PDSALog,
    parse_scale,
)
from safercare.pdsa.plot import annotate, plot_ramp

__all__ = ["COLUMNS", "DECISIONS", "MAX_BYTES", "MAX_CYCLES", "SCALE_UNITS", "Cycle",
           "DriverDiagram", "PDSALog", "annotate", "parse_scale", "plot_ramp"]
