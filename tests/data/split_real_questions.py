"""Split collected real questions into a tuning half and a held-out half, once.

Usage: python tests/data/split_real_questions.py COLLECTED.yaml [...]

Each question goes to ``real_holdout.yaml`` or ``real_tuning.yaml`` by a keyed hash of its
wording (seed below): a fixed random draw that does not change when questions are added,
so a question never moves between halves. Tune the matcher on the tuning half only; score
the held-out half only to report (``run_bot.py eval tests/data/real_holdout.yaml``
prints its counts; its header line ``HELD_OUT_MARK`` keeps its questions off the screen).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import yaml

from bot.evaluation import HELD_OUT_MARK

SEED = "tpi-real-questions-2026-11-27"
HERE = Path(__file__).resolve().parent
HEADER = """\
# Real questions about trigger point injections, asked in public forums, Q&A columns and
# clinic FAQ pages, wording kept (cuts marked "…"), with their source. `ids`: the entries
# that truly answer the question ([] when none does; `safety` for an emergency).
{half}
"""


def is_holdout(question: str) -> bool:
    digest = hashlib.sha256(f"{SEED}\n{question}".encode()).digest()
    return digest[0] % 2 == 0


def main(paths: list[str]) -> None:
    halves: dict[bool, list[dict]] = {True: [], False: []}
    seen: set[str] = set()
    for path in paths:
        for item in yaml.safe_load(Path(path).read_text(encoding="utf-8")):
            key = " ".join(item["q"].lower().split())
            if key in seen:
                continue
            seen.add(key)
            halves[is_holdout(item["q"])].append(item)
    notes = {
        True: f"{HELD_OUT_MARK} never tune on these or copy them into knowledge/.",
        False: "# Tuning half: read the misses, improve the matcher and the knowledge.",
    }
    for holdout, name in ((True, "real_holdout.yaml"), (False, "real_tuning.yaml")):
        text = yaml.safe_dump(halves[holdout], sort_keys=False, allow_unicode=True, width=99)
        (HERE / name).write_text(HEADER.format(half=notes[holdout]) + text, encoding="utf-8")
        print(f"{name}: {len(halves[holdout])} questions")


if __name__ == "__main__":
    if len(sys.argv) < 2:  # no input would write both halves empty
        sys.exit(__doc__)
    main(sys.argv[1:])
