"""The code is ruff-clean (the rules are in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["safercare", "tests", "benchmarks", "run.py"]


def test_ruff_check_is_clean() -> None:
    targets = [target for target in TARGETS if (ROOT / target).exists()]
    assert "safercare" in targets and "run.py" in targets
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
