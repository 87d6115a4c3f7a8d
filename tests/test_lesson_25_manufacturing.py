"""Lesson 25 (so far): the stop-the-line simulator's stated properties, over several seeds."""

import pytest

from safercare.errors import DataError
from safercare.games import stop_the_line as stl


@pytest.mark.parametrize("seed", [1, 2, 3, 25])
@pytest.mark.parametrize("size", [0.05, 0.3])
def test_andon_reduces_defects_and_detection_time(seed, size):
    off = stl.simulate("off", fault_size=size, seed=seed, trials=300)
    on = stl.simulate("on", fault_size=size, seed=seed, trials=300)
    perm = stl.simulate("permission", fault_size=size, seed=seed, trials=300)
    assert on.mean_defects_downstream < perm.mean_defects_downstream < off.mean_defects_downstream
    assert on.mean_time_to_detection < perm.mean_time_to_detection < off.mean_time_to_detection
    assert off.mean_false_stops == 0 and on.mean_false_stops > 0  # stopping has a cost
    assert "false stops" in on.describe()


def test_seeded_and_checked():
    assert stl.simulate(seed=4, trials=50).table.equals(stl.simulate(seed=4, trials=50).table)
    with pytest.raises(DataError):
        stl.simulate("sometimes")
