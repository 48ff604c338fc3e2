"""Per-module table of the last `mutmut run` (read from mutants/**/*.py.meta).

Usage: python scripts/mutation_table.py [--survivors] [--fail-under PCT] [MODULE_SUBSTRING ...]

"% killed" counts killed and timed-out mutants (a hang is a detected mutant)
over the mutants that were checked; "no tests" (no test reaches the mutated
function) counts as not killed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Exit codes as mutmut 3 records them (mutmut/stats.py: status_by_exit_code).
KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {24, -24, 152, 255, 36}
NO_TESTS = {5, 33}
SKIPPED = {34, 37}  # skipped, caught by a type checker


def module_name(meta: Path, root: Path) -> str:
    rel = meta.relative_to(root).as_posix().removesuffix(".py.meta")
    return rel.removeprefix("src/").replace("/", ".")


def load(root: Path) -> dict[str, dict[str, int | None]]:
    found: dict[str, dict[str, int | None]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data.get("exit_code_by_key", {})
        if codes:
            found[module_name(meta, root)] = codes
    return found


def tally(codes: dict[str, int | None]) -> dict[str, int]:
    row = dict(mutants=len(codes), killed=0, survived=0, timeout=0, no_tests=0, unchecked=0, other=0)
    for code in codes.values():
        if code is None:
            row["unchecked"] += 1
        elif code in KILLED:
            row["killed"] += 1
        elif code in SURVIVED:
            row["survived"] += 1
        elif code in TIMEOUT:
            row["timeout"] += 1
        elif code in NO_TESTS:
            row["no_tests"] += 1
        elif code not in SKIPPED:
            row["other"] += 1
    return row


def percent(row: dict[str, int]) -> float | None:
    checked = row["mutants"] - row["unchecked"]
    if not checked:
        return None
    return 100.0 * (row["killed"] + row["timeout"]) / checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="only modules whose name (after paperqueue.) contains one of these")
    parser.add_argument("--root", type=Path, default=Path("mutants"))
    parser.add_argument("--survivors", action="store_true", help="list surviving and untested mutants")
    parser.add_argument("--fail-under", type=float, default=None, help="exit 1 if a module is below PCT")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"no {args.root}/ folder: run `make mutation` first", file=sys.stderr)
        return 2
    data = {
        m: c
        for m, c in load(args.root).items()
        if not args.modules or any(s in m.removeprefix("paperqueue.") for s in args.modules)
    }
    if not data:
        print("no mutation results found", file=sys.stderr)
        return 2
    cols = ["mutants", "killed", "survived", "timeout", "no_tests", "unchecked"]
    width = max(len("module"), *(len(m) for m in data))
    head = f"{'module':<{width}} " + " ".join(f"{c:>9}" for c in cols) + f" {'% killed':>9}"
    print(head)
    print("-" * len(head))
    total = dict.fromkeys([*cols, "other"], 0)
    below = []
    for module, codes in data.items():
        row = tally(codes)
        for c in total:
            total[c] += row[c]
        pct = percent(row)
        shown = "-" if pct is None else f"{pct:.1f}"
        print(f"{module:<{width}} " + " ".join(f"{row[c]:>9}" for c in cols) + f" {shown:>9}")
        if args.fail_under is not None and pct is not None and pct < args.fail_under:
            below.append(module)
    print("-" * len(head))
    pct = percent(total)
    shown = "-" if pct is None else f"{pct:.1f}"
    print(f"{'all':<{width}} " + " ".join(f"{total[c]:>9}" for c in cols) + f" {shown:>9}")
    if args.survivors:
        for module, codes in data.items():
            names = [k for k, v in codes.items() if v in SURVIVED or v in NO_TESTS]
            if names:
                print(f"\n{module}: {len(names)} not killed (`mutmut show NAME` for the diff)")
                for name in sorted(names):
                    print(f"  {name}")
    if below:
        print(f"\nbelow {args.fail_under:g}%: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
