"""Score the matcher against a dev set of questions with expected answers.

The dev set (``tests/data/dev_questions.yaml``) lists ``questions`` with ``q``, ``expect``
(an entry id, ``none`` or ``smalltalk``) and ``category``, plus ``must_not_confuse`` pairs
whose questions must get their own ids and an answer that mentions the code asked about.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.matching import Matcher, Result, Status

NEGATIVE_CATEGORIES = frozenset({"offtopic", "near-domain"})


class DevSetError(ValueError):
    """The dev set file is missing or malformed."""


@dataclass(frozen=True)
class Case:
    """One dev-set question and what it should get."""

    question: str
    expect: str
    category: str
    mentions: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the matcher did with one case."""

    case: Case
    result: Result

    @property
    def got(self) -> str:
        if self.result.status is Status.ANSWER and self.result.entry:
            return self.result.entry.id
        return self.result.status.value

    @property
    def correct(self) -> bool:
        if self.case.expect == "none":
            return self.result.status is Status.NONE
        if self.got != self.case.expect:
            return False
        entry = self.result.entry
        return self.case.mentions is None or (
            entry is not None and self.case.mentions.lower() in entry.answer.lower()
        )


@dataclass(frozen=True)
class Report:
    """Accuracy per category and the dev set's targets."""

    outcomes: tuple[Outcome, ...]
    pairs: tuple[tuple[Outcome, Outcome], ...]

    @property
    def answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.category not in NEGATIVE_CATEGORIES]

    @property
    def negatives(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.category in NEGATIVE_CATEGORIES]

    @property
    def answer_accuracy(self) -> float:
        """Share of answerable questions that got the right answer (or small talk)."""
        cases = self.answerable
        return sum(o.correct for o in cases) / len(cases) if cases else 1.0

    @property
    def false_answer_rate(self) -> float:
        """Share of off-topic and near-domain questions that got any answer."""
        cases = self.negatives
        return sum(o.result.status is Status.ANSWER for o in cases) / len(cases) if cases else 0.0

    @property
    def confused_pairs(self) -> list[tuple[Outcome, Outcome]]:
        return [(a, b) for a, b in self.pairs if not (a.correct and b.correct)]

    def by_category(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            totals[outcome.case.category][0] += outcome.correct
            totals[outcome.case.category][1] += 1
        return {category: (right, total) for category, (right, total) in totals.items()}

    def misses(self) -> list[Outcome]:
        paired = [o for pair in self.confused_pairs for o in pair if not o.correct]
        return [o for o in self.outcomes if not o.correct] + paired

    def format(self) -> str:
        lines = ["category      right/total  accuracy"]
        for category, (right, total) in sorted(self.by_category().items()):
            lines.append(f"{category:<13} {right:>5}/{total:<5}  {right / total:7.1%}")
        lines += [
            "",
            f"answerable questions answered right: {self.answer_accuracy:.1%} (target >= 92%)",
            f"off-topic/near-domain answered:      {self.false_answer_rate:.1%} (target <= 3%)",
            f"must-not-confuse pairs confused:     {len(self.confused_pairs)} of {len(self.pairs)}"
            " (target 0)",
        ]
        misses = self.misses()
        if misses:
            lines += ["", f"misses ({len(misses)}):"]
            for outcome in misses:
                best = outcome.result.best
                detail = f"{best.entry.id} {best.score}" if best else "no candidate"
                lines.append(
                    f"  [{outcome.case.category}] {outcome.case.question!r}: expected"
                    f" {outcome.case.expect}, got {outcome.got} ({detail})"
                )
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return (
            self.answer_accuracy >= 0.92
            and self.false_answer_rate <= 0.03
            and not self.confused_pairs
        )


def load_dev_set(path: Path) -> tuple[list[Case], list[tuple[Case, Case]]]:
    """Read a dev set file; raise DevSetError naming the file on any problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        cases = [_case(item) for item in data["questions"]]
        pairs = [(_case(a), _case(b)) for a, b in data.get("must_not_confuse") or []]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise DevSetError(f"{path}: not a valid dev set ({error})") from error
    return cases, pairs


def _case(item: dict[str, Any]) -> Case:
    return Case(
        str(item["q"]),
        str(item["expect"]),
        str(item.get("category", "pair")),
        item.get("mentions"),
    )


def evaluate(matcher: Matcher, cases: list[Case], pairs: list[tuple[Case, Case]]) -> Report:
    """Run every case through the matcher."""
    outcomes = tuple(Outcome(case, matcher.answer(case.question)) for case in cases)
    run_pairs = tuple(
        (Outcome(a, matcher.answer(a.question)), Outcome(b, matcher.answer(b.question)))
        for a, b in pairs
    )
    return Report(outcomes, run_pairs)
