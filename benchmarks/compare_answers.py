"""Which answers a change moves: the dev set and the real questions one may tune on,
answered by the code and knowledge of an earlier git revision and by the working tree.

Usage: python benchmarks/compare_answers.py REV [--holdout]

Both sides answer the working tree's question files, so a question added since REV is
compared too. Prints, per file, right / wrong / false answers for both sides and every
question whose reply changed (``+`` now right, ``-`` no longer right, ``~`` another
wrong reply). The held-out half is left out unless ``--holdout`` is given, and then only
its counts are printed, never its questions (README, "Real questions": it is scored only
to report). The revision is checked out in a temporary git worktree, removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
FILES = ("dev_questions.yaml", "real_tuning.yaml", "real_reserve.yaml")
HELD_OUT = "real_holdout.yaml"

# Run with the revision's code (cwd and sys.path: its worktree): per file and question,
# what was replied and how that counts. Kept to the evaluation API that revisions share.
ANSWER_ALL = """
import json, sys
from pathlib import Path
sys.path.insert(0, ".")
from bot.evaluation import Outcome, load_dev_set
from bot.knowledge import load_knowledge
from bot.matching import Matcher
matcher = Matcher(load_knowledge(Path("knowledge")))
replies = {}
for path in sys.argv[1:]:
    cases, _ = load_dev_set(Path(path))
    rows = replies[Path(path).name] = []
    for case in cases:
        outcome = Outcome(case, matcher.answer(case.question))
        # As run_bot.py eval counts: right of the answerable; an answer that is not
        # right is wrong (answerable) or false (nothing answers the question).
        answered = outcome.result.status.value == "answer" and not outcome.correct
        if case.answerable:
            kind = "right" if outcome.correct else "wrong" if answered else "other"
        else:
            kind = "false" if answered else "other"
        rows.append([outcome.got, kind])
print(json.dumps(replies))
"""


# How good each kind of reply is, to mark a change better or worse.
RANK = {"right": 2, "other": 1, "wrong": 0, "false": 0}


@dataclass(frozen=True)
class Counts:
    right: int
    wrong: int
    false: int

    @classmethod
    def of(cls, kinds: list[str]) -> Counts:
        return cls(kinds.count("right"), kinds.count("wrong"), kinds.count("false"))

    def __str__(self) -> str:
        return f"right {self.right}, wrong {self.wrong}, false {self.false}"


def answer_all(code_root: Path, files: list[Path]) -> dict[str, list[tuple[str, str]]]:
    """Per file name, per question: (reply, right / wrong / false / other) by that code."""
    done = subprocess.run(
        [sys.executable, "-c", ANSWER_ALL, *map(str, files)],
        cwd=code_root,
        capture_output=True,
        text=True,
        check=True,
    )
    replies: dict[str, list[list[str]]] = json.loads(done.stdout)
    return {name: [(got, kind) for got, kind in rows] for name, rows in replies.items()}


def compare(
    questions: list[str], base: list[tuple[str, str]], now: list[tuple[str, str]]
) -> tuple[Counts, Counts, list[str]]:
    """Both sides' counts and a line per question whose reply changed: ``+`` better (a
    right answer, or a suggestion or none instead of a wrong or false one), ``-`` worse,
    ``~`` as good."""
    changed = []
    for question, (was, was_kind), (got, kind) in zip(questions, base, now, strict=True):
        if was == got:
            continue
        step = RANK[kind] - RANK[was_kind]
        mark = "+" if step > 0 else "-" if step < 0 else "~"
        changed.append(f"  {mark} {question[:110]!r}: {was} -> {got}")
    kinds = [[kind for _, kind in side] for side in (base, now)]
    return Counts.of(kinds[0]), Counts.of(kinds[1]), changed


def report(rev: str, files: list[Path], base_root: Path) -> list[str]:
    from bot.evaluation import load_dev_set

    base, now = answer_all(base_root, files), answer_all(ROOT, files)
    lines = [f"{rev} -> the working tree"]
    for path in files:
        cases, _ = load_dev_set(path)
        before, after, changed = compare(
            [case.question for case in cases], base[path.name], now[path.name]
        )
        lines.append(f"{path.name} ({len(cases)}): {before} -> {after}; {len(changed)} changed")
        if path.name != HELD_OUT:
            lines += changed
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision to compare with, e.g. HEAD or main~3")
    parser.add_argument("--holdout", action="store_true", help="also count the held-out half")
    args = parser.parse_args()
    files = [DATA / name for name in FILES] + ([DATA / HELD_OUT] if args.holdout else [])
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as scratch:
        worktree = Path(scratch) / "base"
        git = ["git", "-C", str(ROOT)]
        added = subprocess.run(
            [*git, "worktree", "add", "--detach", "--quiet", str(worktree), args.rev],
            capture_output=True,
            text=True,
        )
        if added.returncode:
            sys.exit(f"cannot check out {args.rev!r}: {added.stderr.strip()}")
        try:
            print("\n".join(report(args.rev, files, worktree)))
        except subprocess.CalledProcessError as error:
            sys.exit(f"answering failed (is {args.rev!r} too old?):\n{error.stderr[-2000:]}")
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(worktree)], check=True)


if __name__ == "__main__":
    main()
