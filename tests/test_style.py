"""The accessible figure style must not change matplotlib state behind a notebook's back."""

import matplotlib as mpl

from safercare import style


def test_style_context_keeps_interactive_mode_switched_on_inside_it():
    # In a notebook, the first chart drawn inside the context is where the inline
    # backend switches interactive mode on; leaving the context must keep it on.
    before = mpl.is_interactive()
    try:
        mpl.interactive(False)
        with style.style_context():
            mpl.interactive(True)
        assert mpl.is_interactive()
    finally:
        mpl.interactive(before)


def test_style_context_restores_other_settings():
    size = mpl.rcParams["font.size"]
    with style.style_context():
        mpl.rcParams["font.size"] = size + 7
    assert mpl.rcParams["font.size"] == size
