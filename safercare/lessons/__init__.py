"""Lesson code: one module per lesson, named for the lesson.

What belongs to one lesson only -- its situation (which trust, which dates), its exercise
checks, the widgets it shows and the words it generates -- lives in that lesson's module
here, and nowhere else:

* :mod:`~safercare.lessons.start_here` -- the start page (lesson 0)
* :mod:`~safercare.lessons.measuring_what_matters` -- lesson 1
* :mod:`~safercare.lessons.variation_and_run_charts` -- lesson 2
* :mod:`~safercare.lessons.spc_the_making_data_count_way` -- lesson 3
* :mod:`~safercare.lessons.tampering` -- lesson 4
* :mod:`~safercare.lessons.rare_events` -- lesson 5
* :mod:`~safercare.lessons.comparing_fairly` -- lesson 6
* :mod:`~safercare.lessons.did_it_work` -- lesson 7
* :mod:`~safercare.lessons.your_own_data` -- lesson 8
* :mod:`~safercare.lessons.setting_priorities_with_patients` -- setting priorities with patients

What more than one lesson uses (reading a typed answer, feedback, showing a figure with its
words) is in :mod:`~safercare.lessons.common`; the answer key that trainers' pages and the
tests share is in :mod:`~safercare.lessons.answer_keys`; tables that pages print (a handout's
thresholds, printable cards) are written into them by :mod:`~safercare.lessons.pages`.

The engines (``spc``, ``funnel``, ``games``, ``data``, ``priorities``, ``comparison``,
``evaluation``, ``widgets``) sit below this package and never import it (a test checks).
The modules are not imported here, so using one lesson never loads the others.
"""
