"""``python -m safercare.synth [--check] [--out FOLDER]``: write or check ``datasets/``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from safercare.synth import check, default_folder, write


def main(argv: Sequence[str] | None = None) -> int:
    """Write the datasets (default) or check them (``--check``); return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m safercare.synth",
        description="Regenerate the synthetic course datasets byte for byte.")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 and name each file that differs")
    parser.add_argument("--out", default=None,
                        help=f"folder to write or check (default: {default_folder()})")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            print(f"{len(problems)} file(s) out of date: run `python -m safercare.synth`.",
                  file=sys.stderr)
            return 1
        print("datasets are up to date")
        return 0
    paths = write(args.out)
    print(f"wrote {len(paths)} files to {paths[0].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
