"""benchmarks/compare_answers.py: which replies a change moved, the held-out half unread."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.compare_answers import compare

ROOT = Path(__file__).resolve().parent.parent


def test_a_change_is_marked_better_or_worse_and_counted():
    questions = ["kept", "fixed", "broken", "declined", "other wrong"]
    base = [("a", "right"), ("b", "wrong"), ("c", "right"), ("d", "false"), ("e", "wrong")]
    now = [("a", "right"), ("f", "right"), ("suggest", "other"), ("none", "other"), ("g", "wrong")]
    before, after, changed = compare(questions, base, now)
    assert (before.right, before.wrong, before.false) == (2, 2, 1)
    assert (after.right, after.wrong, after.false) == (2, 1, 0)
    assert changed == [
        "  + 'fixed': b -> f",
        "  - 'broken': c -> suggest",
        "  + 'declined': d -> none",
        "  ~ 'other wrong': e -> g",
    ]


@pytest.mark.slow
def test_the_same_revision_changes_nothing_and_held_out_questions_are_not_shown():
    done = subprocess.run(
        [sys.executable, "benchmarks/compare_answers.py", "HEAD", "--holdout"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "HEAD -> the working tree"
    files = [line for line in lines[1:] if not line.startswith("  ")]
    assert [line.split(" (")[0] for line in files] == [
        "dev_questions.yaml",
        "real_tuning.yaml",
        "real_reserve.yaml",
        "real_holdout.yaml",
    ]
    # A clean checkout is HEAD: nothing moves, and no question is listed.
    assert all(line.endswith("; 0 changed") for line in files), files
    assert len(files) == len(lines) - 1
