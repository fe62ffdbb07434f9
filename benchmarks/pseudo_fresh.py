"""A pseudo-fresh reading of a real-question file: each question answered by a matcher
without the alternates that nearly copy it.

Usage: python benchmarks/pseudo_fresh.py [FILE] [--cut 75]

The tuning half was read and tuned on, and many of its questions' wordings ended up among
the alternates, so its figures flatter the bot. Here each question is answered by a
matcher built without every alternate whose rapidfuzz ratio to the question (both
normalised) is at least ``--cut``: an estimate of how the bot does on questions like these
that it has not seen. The point cues, keywords and synonyms written from them stay, so
it is still an optimistic one; the held-out half is the honest figure. Prints right /
wrong / false as ``run_bot.py eval`` counts them, beside the figures with every alternate
(a matcher per question that loses one: about 15 s for the tuning half).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import Outcome, Tally, load_dev_set  # noqa: E402
from bot.knowledge import KnowledgeBase, load_knowledge  # noqa: E402
from bot.matching import Matcher  # noqa: E402
from bot.text import normalise  # noqa: E402


def without_copies(knowledge: KnowledgeBase, question: str, cut: float) -> KnowledgeBase:
    """``knowledge`` without the alternates that nearly copy ``question``."""
    asked = normalise(question)
    entries = tuple(
        dataclasses.replace(
            entry,
            alternates=tuple(
                text for text in entry.alternates if fuzz.ratio(asked, normalise(text)) < cut
            ),
        )
        for entry in knowledge.entries
    )
    return dataclasses.replace(knowledge, entries=entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "file", nargs="?", type=Path, default=ROOT / "tests" / "data" / "real_tuning.yaml"
    )
    parser.add_argument("--cut", type=float, default=75.0, help="ratio that counts as a copy")
    args = parser.parse_args()
    knowledge = load_knowledge(ROOT / "knowledge")
    cases, _ = load_dev_set(args.file)
    full = Matcher(knowledge)
    alternates = sum(len(entry.alternates) for entry in knowledge.entries)
    outcomes, removed = [], 0
    for case in cases:
        reduced = without_copies(knowledge, case.question, args.cut)
        dropped = alternates - sum(len(entry.alternates) for entry in reduced.entries)
        removed += dropped
        matcher = Matcher(reduced) if dropped else full
        outcomes.append(Outcome(case, matcher.answer(case.question)))
    as_tuned = Tally.of(Outcome(case, full.answer(case.question)) for case in cases)
    fresh = Tally.of(outcomes)
    print(f"{args.file.name}: {len(cases)} questions, {removed} near-copy alternates removed")
    for name, tally in (("as tuned", as_tuned), ("pseudo-fresh", fresh)):
        print(
            f"{name:>12}: right {tally.right_rate:.1%} ({tally.right}/{tally.answerable}),"
            f" wrong {tally.wrong_rate:.1%}, false {tally.false_rate:.1%}"
            f" ({tally.false_answers}/{tally.unanswerable}),"
            f" {tally.suggested_right} suggested with a right entry"
        )


if __name__ == "__main__":
    main()
