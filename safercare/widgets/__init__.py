"""Thin ipywidgets front ends for the lessons.

Dependencies point one way: widgets → analyses → data. A widget collects choices,
calls the package's analysis functions and shows their results; it computes nothing
itself. Every control has a visible label and a tooltip (its accessible description),
and each lesson shows a static figure after a widget so the book still has a picture.

Import the module you need, e.g. ``from safercare.widgets.upload import upload_widget``
(lesson 8, charting your own data). The modules are not imported here, so using one
widget never loads the others.
"""
