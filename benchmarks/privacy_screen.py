"""How well and how fast does the privacy screen work?

Scores :func:`safercare.priorities.privacy.screen_text` on the evaluation set
``tests/privacy/cases.csv`` and times it, in one run:

* the **catch rate** (personal details refused) and the **false-alarm rate** (ordinary
  suggestions refused), overall, for each split of the set, and for each kind (over all
  cases and over the held-out cases);
* the **time per suggestion**: each case's best of ``--repeats`` calls, as a mean, a median
  and the slowest case; plus the slowest of a few hostile texts of the longest length
  accepted (:data:`~safercare.priorities.privacy.MAX_LENGTH` characters), built to make
  regular expressions backtrack. False alarms are also counted by the kind of detail that
  the screen thought it saw.

Run ``python benchmarks/privacy_screen.py`` (add ``--show`` to list every miss and false alarm).

How the splits were used, and what each scored the first (and only unseen) time:

=========  =====================================================  ==========  ============
split      written                                                refused     accepted
=========  =====================================================  ==========  ============
dev        first; the rules were written against these            (tuned)     (tuned)
heldout    with dev (30% by a hash of the text), kept unseen      63 of 65    64 of 65
round2     after the first version of the rules                   97 of 101   79 of 81
round3     after the second version                               75 of 76    73 of 73
round4     after the third version                                54 of 55    49 of 50
=========  =====================================================  ==========  ============

The held-out, round-2 and round-4 misses were then fixed where a general rule covered them
(so today's figures for those splits are no longer unseen figures); round 3 was not tuned on.
``--rules FILE`` scores another version of ``privacy.py``, which reproduces those first
scores, and the screen before issue 10::

    git show ac6298e:safercare/priorities/privacy.py > /tmp/privacy_v1.py   # heldout, round2
    git show c22f58f:safercare/priorities/privacy.py > /tmp/privacy_v2.py   # round3
    git show e316d11:safercare/priorities/privacy.py > /tmp/privacy_v3.py   # round4
    git show 9e1b50a:safercare/priorities/privacy.py > /tmp/privacy_v0.py   # before issue 10
    python benchmarks/privacy_screen.py --rules /tmp/privacy_v1.py
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from safercare.priorities.privacy import MAX_LENGTH, screen_text  # noqa: E402

CASES = ROOT / "tests" / "privacy" / "cases.csv"
SPLITS = ("dev", "heldout", "round2", "round3", "round4")


@dataclass(frozen=True)
class Score:
    """Counts for one group of cases."""

    name: str
    personal: int
    caught: int
    ordinary: int
    false_alarms: int

    @property
    def catch_rate(self) -> float | None:
        return self.caught / self.personal if self.personal else None

    @property
    def false_alarm_rate(self) -> float | None:
        return self.false_alarms / self.ordinary if self.ordinary else None


def load(path: Path = CASES) -> list[dict[str, str]]:
    """The evaluation cases, one dict per row (text, expected, kind, split)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def score(name: str, rows: list[dict[str, str]], refused: dict[str, bool]) -> Score:
    """Count the refusals of personal and ordinary cases in ``rows``."""
    personal = [r for r in rows if r["expected"] == "refuse"]
    ordinary = [r for r in rows if r["expected"] == "accept"]
    return Score(name, len(personal), sum(refused[r["text"]] for r in personal),
                 len(ordinary), sum(refused[r["text"]] for r in ordinary))


def hostile_texts(length: int = MAX_LENGTH) -> list[str]:
    """Texts of ``length`` characters built from the pieces the patterns look for."""
    pieces = ["1 ", "0", "a.", "a@", "at ", "dot ", "Mr ", "my mum ", "born ", "12/", "LS1",
              "is ", "- ", "(0", "Ab ", "12 The "]
    return [(p * (length // len(p) + 1))[:length] for p in pieces]


def best_time(func: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``func``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def load_screen(path: Path) -> Callable[[str], object]:
    """``screen_text`` from another version of ``privacy.py`` (a file path)."""
    spec = importlib.util.spec_from_file_location("privacy_under_test", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot read {path}: give the path of a privacy.py file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module.screen_text


def run(repeats: int = 20, show: bool = False, out: Callable[[str], None] = print,
        screen: Callable[[str], object] = screen_text, label: str = "safercare") -> dict:
    """Score and time ``screen``; print a report with ``out``; return the figures."""
    screen_text = screen
    rows = load()
    texts = [r["text"] for r in rows]
    results = {t: screen_text(t) for t in texts}
    refused = {t: not r.ok for t, r in results.items()}

    groups = [score("all cases", rows, refused)]
    groups += [score(f"split {s}", [r for r in rows if r["split"] == s], refused)
               for s in SPLITS if any(r["split"] == s for r in rows)]
    kinds = sorted({r["kind"] for r in rows if r["expected"] == "refuse"})
    per_kind = [score(k, [r for r in rows if r["kind"] == k], refused) for k in kinds]
    per_kind_heldout = [score(k, [r for r in rows if r["kind"] == k and r["split"] == "heldout"],
                              refused) for k in kinds]

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    out(f"Privacy screen ({label}) on tests/privacy/cases.csv")
    out(f"{'group':40s} {'personal':>8s} {'caught':>8s} {'ordinary':>8s} {'false alarms':>12s}")
    for g in groups:
        out(f"{g.name:40s} {g.personal:8d} {pct(g.catch_rate):>8s} {g.ordinary:8d} "
            f"{pct(g.false_alarm_rate):>12s}")
    out("")
    out(f"{'kind':20s} {'all: caught':>14s} {'held out: caught':>18s}")
    for k, h in zip(per_kind, per_kind_heldout, strict=True):
        out(f"{k.name:20s} {k.caught:>5d}/{k.personal:<4d} {pct(k.catch_rate):>6s} "
            f"{h.caught:>6d}/{h.personal:<4d} {pct(h.catch_rate):>6s}")
    out(f"{'ordinary (accepted)':20s} "
        f"{groups[0].ordinary - groups[0].false_alarms:>5d}/{groups[0].ordinary:<4d} "
        f"{pct(1 - (groups[0].false_alarm_rate or 0)):>6s}")
    ordinary = [r["text"] for r in rows if r["expected"] == "accept"]
    by_reason: dict[str, int] = {}
    for t in ordinary:
        for reason in getattr(results[t], "reasons", ()):
            by_reason[reason] = by_reason.get(reason, 0) + 1
    out("false alarms by kind (share of ordinary suggestions): " + (", ".join(
        f"{k} {n} ({pct(n / len(ordinary))})" for k, n in sorted(by_reason.items())) or "none"))

    # Each case is timed on its own (best of ``repeats`` calls), so that a busy, shared machine
    # pausing the process adds to few measurements rather than to every long pass.
    times = sorted(best_time(lambda t=t: screen_text(t), repeats) for t in texts)
    per_case = sum(times) / len(times)
    slowest = times[-1]
    hostile = max(best_time(lambda t=t: screen_text(t), repeats) for t in hostile_texts())
    out("")
    out(f"time per suggestion: mean {per_case * 1e6:.0f} µs, median "
        f"{times[len(times) // 2] * 1e6:.0f} µs, slowest {slowest * 1e6:.0f} µs over "
        f"{len(texts)} cases (each the best of {repeats} calls); slowest hostile "
        f"{MAX_LENGTH}-character text {hostile * 1e6:.0f} µs")

    if show:
        out("")
        for r in rows:
            wrong = refused[r["text"]] != (r["expected"] == "refuse")
            if wrong:
                what = "missed" if r["expected"] == "refuse" else "false alarm"
                out(f"{what:11s} [{r['split']}] {r['kind']}: {r['text']!r}")
    return {"groups": groups, "per_kind": per_kind, "per_kind_heldout": per_kind_heldout,
            "false_alarms_by_kind": by_reason,
            "seconds_per_case": per_case, "slowest_case": slowest, "slowest_hostile": hostile}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed passes (best is kept)")
    parser.add_argument("--show", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--rules", type=Path, help="score this privacy.py instead")
    args = parser.parse_args(argv)
    if args.rules:
        run(repeats=args.repeats, show=args.show, screen=load_screen(args.rules),
            label=str(args.rules))
    else:
        run(repeats=args.repeats, show=args.show)


if __name__ == "__main__":
    main()
