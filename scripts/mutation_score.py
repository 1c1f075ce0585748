"""Mutation score of the functions in tests/mutation_scope.txt, from a mutmut run's results.

    python scripts/mutation_score.py [MUTANTS_DIR]      # default: ./mutants (after `make mutation`)

Prints killed / survived / not run per function and in total, and the survivors' names. The
score is killed / (killed + survived); mutants mutmut found no test for count as survived.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# mutmut's exit codes: 0 survived, 5/33 no test covers it (counted as survived), None/2/34 not
# checked, interrupted or skipped; everything else (1, 3, timeouts, crashes, 37) kills it.
STATUS = {0: "survived", 5: "survived", 33: "survived", None: "not run", 2: "not run", 34: "not run"}


def scope() -> list[str]:
    lines = (ROOT / "tests" / "mutation_scope.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def main(mutants: Path) -> None:
    patterns = scope()
    per_function: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for meta in sorted(mutants.rglob("*.meta")):
        for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            if not any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            function = re.sub(r"__mutmut_\d+$", "", name)
            status = STATUS.get(code, "killed")  # timeouts and crashes of a mutant count as kills
            per_function[function][status] += 1
            if status == "survived":
                survivors.append(name)
    total = Counter()
    for function, counts in sorted(per_function.items()):
        total.update(counts)
        print(
            f"{counts['killed']:4d} killed {counts['survived']:4d} survived {counts['not run']:4d} not run  {function}"
        )
    decided = total["killed"] + total["survived"]
    score = total["killed"] / decided if decided else float("nan")
    print(f"\n{total['killed']} killed, {total['survived']} survived, {total['not run']} not run: score {score:.1%}")
    print("\n".join(["", "Survivors:", *survivors]))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "mutants")
