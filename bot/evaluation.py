"""Score the matcher against question sets with known answers.

Two file shapes are read:

- a dev set (``tests/data/dev_questions.yaml``): ``questions`` with ``q``, ``expect`` (an
  entry id, ``none``, ``smalltalk``, ``safety`` or ``icd10``, an answer from the ICD-10-CM
  code set) and ``category``, plus
  ``must_not_confuse`` pairs whose questions must get their own ids and an answer that
  mentions the code asked about;
- a real-question set (``tests/data/real_*.yaml``): a list of questions people asked in
  public, with ``q``, ``source``, ``asker`` (staff or patient) and ``ids``: the entries that
  truly answer it, ``[safety]`` for an emergency, or ``[]`` when nothing does.

For real questions the report separates right answers, wrong answers (another entry),
suggestions and declines, and splits them by asker and by length, since long narrative
staff questions behave differently from short patient ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.loader import parse_yaml
from bot.matching import Matcher, Result, Status

NEGATIVE_CATEGORIES = frozenset({"offtopic", "near-domain", "unanswerable"})
ICD10_ANSWER = "icd10"
# The entries a code-set answer stands in for, when a real question names a code.
ICD10_ENTRIES = frozenset({"diagnosis-codes", "icd10-site-codes"})
SPECIAL_EXPECTATIONS = frozenset({"none", "smalltalk", "safety", ICD10_ANSWER})

# The opening comment line of a question file scored only to report (written by
# tests/data/split_real_questions.py): ``eval`` prints its counts, not its questions.
HELD_OUT_MARK = "# HELD OUT:"

# Floors for real questions (issue "Answer the questions people really ask").
REAL_RIGHT_FLOOR = 0.85
REAL_WRONG_CEILING = 0.03
REAL_FALSE_CEILING = 0.05
REAL_LONG_STAFF_FLOOR = 0.75
LONG_QUESTION_WORDS = 30
LENGTH_BUCKETS = ((0, 11, "under 12 words"), (12, 30, "12 to 30 words"), (31, 10**9, "over 30"))


class DevSetError(ValueError):
    """The question file is missing or malformed."""


@dataclass(frozen=True)
class Case:
    """One question and what it should get: one of ``expect`` (ids or a status)."""

    question: str
    expect: tuple[str, ...]
    category: str
    mentions: str | None = None
    asker: str | None = None
    source: str | None = None

    @property
    def words(self) -> int:
        return len(self.question.split())

    @property
    def answerable(self) -> bool:
        return self.category not in NEGATIVE_CATEGORIES


@dataclass(frozen=True)
class Outcome:
    """What the matcher did with one case."""

    case: Case
    result: Result

    @property
    def got(self) -> str:
        if self.result.icd10 is not None:
            return ICD10_ANSWER
        if self.result.status is Status.ANSWER and self.result.entry:
            return self.result.entry.id
        return self.result.status.value

    @property
    def correct(self) -> bool:
        if not self.case.answerable:
            return self.result.status is Status.NONE
        if self.got not in self.case.expect and not self._code_set_answers_it:
            return False
        return self.case.mentions is None or self.case.mentions.lower() in self.answer.lower()

    @property
    def answer(self) -> str:
        """The answer text the result shows, empty when it answers nothing."""
        if self.result.icd10 is not None:
            return "\n".join(self.result.icd10.paragraphs)
        return self.result.entry.answer if self.result.entry else ""

    @property
    def _code_set_answers_it(self) -> bool:
        """A real question labelled with a diagnosis-code entry, answered from the code set."""
        return self.got == ICD10_ANSWER and bool(ICD10_ENTRIES & set(self.case.expect))

    @property
    def wrong(self) -> bool:
        """Answered with an entry that does not answer it (or answered an unanswerable one)."""
        return self.result.status is Status.ANSWER and not self.correct

    @property
    def suggests_a_right_entry(self) -> bool:
        return self.result.status is Status.SUGGEST and any(
            candidate.entry.id in self.case.expect for candidate in self.result.candidates
        )


@dataclass(frozen=True)
class Tally:
    """Counts for a group of real questions."""

    answerable: int
    right: int
    wrong: int
    suggested: int
    # Suggestions that list a right entry: one tap from the answer.
    suggested_right: int
    declined: int
    unanswerable: int
    false_answers: int

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Tally:
        outcomes = list(outcomes)
        positive = [o for o in outcomes if o.case.answerable]
        negative = [o for o in outcomes if not o.case.answerable]
        return cls(
            answerable=len(positive),
            right=sum(o.correct for o in positive),
            wrong=sum(o.wrong for o in positive),
            suggested=sum(o.result.status is Status.SUGGEST for o in positive),
            suggested_right=sum(o.suggests_a_right_entry for o in positive),
            declined=sum(o.result.status is Status.NONE for o in positive),
            unanswerable=len(negative),
            false_answers=sum(o.result.status is Status.ANSWER for o in negative),
        )

    @property
    def right_rate(self) -> float:
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answerable if self.answerable else 0.0

    @property
    def false_rate(self) -> float:
        return self.false_answers / self.unanswerable if self.unanswerable else 0.0

    def row(self, label: str) -> str:
        right = share(self.right, self.answerable)
        false = share(self.false_answers, self.unanswerable)
        return (
            f"{label:<16} {self.right:>4}/{self.answerable:<4} {right}"
            f" {self.wrong:>5} {self.suggested:>7} {self.suggested_right:>8} {self.declined:>5}"
            f"   {self.false_answers:>4}/{self.unanswerable:<4} {false}"
        )


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage, six wide; "n/a" when there is nothing to
    count (a group without such questions neither passes nor fails)."""
    return f"{part / whole:6.1%}" if whole else f"{'n/a':>6}"


TALLY_HEADER = (
    "group            right/answerable  wrong suggest (right)  none   false/unanswerable\n"
    "                                                                 (answered anyway)"
)


@dataclass(frozen=True)
class Report:
    """Accuracy per category, the real-question breakdowns, and the targets."""

    outcomes: tuple[Outcome, ...]
    pairs: tuple[tuple[Outcome, Outcome], ...]

    @property
    def is_real(self) -> bool:
        """Whether these are real questions (they say who asked)."""
        return any(o.case.asker for o in self.outcomes)

    @property
    def answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.answerable]

    @property
    def negatives(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.case.answerable]

    @property
    def answer_accuracy(self) -> float:
        """Share of answerable questions that got a right answer (or small talk, safety)."""
        cases = self.answerable
        return sum(o.correct for o in cases) / len(cases) if cases else 1.0

    @property
    def false_answer_rate(self) -> float:
        """Share of questions nothing answers that got an answer anyway."""
        cases = self.negatives
        return sum(o.result.status is Status.ANSWER for o in cases) / len(cases) if cases else 0.0

    @property
    def confused_pairs(self) -> list[tuple[Outcome, Outcome]]:
        return [(a, b) for a, b in self.pairs if not (a.correct and b.correct)]

    def tally(self, keep: Callable[[Outcome], bool] = lambda _: True) -> Tally:
        return Tally.of(o for o in self.outcomes if keep(o))

    @property
    def long_staff(self) -> Tally:
        """Staff questions of 30 words or more."""
        return self.tally(
            lambda o: o.case.asker == "staff" and o.case.words >= LONG_QUESTION_WORDS
        )

    def by_category(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            totals[outcome.case.category][0] += outcome.correct
            totals[outcome.case.category][1] += 1
        return {category: (right, total) for category, (right, total) in totals.items()}

    def misses(self) -> list[Outcome]:
        paired = [o for pair in self.confused_pairs for o in pair if not o.correct]
        if self.is_real:  # a decline of an unanswerable question is no miss
            return [o for o in self.outcomes if not o.correct and (o.case.answerable or o.wrong)]
        return [o for o in self.outcomes if not o.correct] + paired

    def format(self, *, questions: bool = True) -> str:
        """The breakdown and every miss; ``questions=False``: the number of misses only."""
        lines = self._real_lines() if self.is_real else self._dev_lines()
        misses = self.misses()
        if misses and not questions:
            lines += ["", f"misses: {len(misses)}"]
        elif misses:
            lines += ["", f"misses ({len(misses)}):"]
            for outcome in misses:
                best = outcome.result.best
                detail = f"{best.entry.id} {best.score}" if best else "no candidate"
                expected = ",".join(outcome.case.expect)
                lines.append(
                    f"  [{outcome.case.category}] {outcome.case.question!r}: expected"
                    f" {expected}, got {outcome.got} ({detail})"
                )
        return "\n".join(lines)

    def _dev_lines(self) -> list[str]:
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
        return lines

    def _real_lines(self) -> list[str]:
        lines = [TALLY_HEADER, self.tally().row("all")]
        for asker in sorted({o.case.asker or "?" for o in self.outcomes}):
            lines.append(self.tally(partial(_asked_by, asker=asker)).row(asker))
        for low, high, label in LENGTH_BUCKETS:
            lines.append(self.tally(partial(_words_between, low=low, high=high)).row(label))
        lines.append(self.long_staff.row("staff, 30+ words"))
        total, long_staff = self.tally(), self.long_staff
        right, wrong = share(total.right, total.answerable), share(total.wrong, total.answerable)
        false = share(total.false_answers, total.unanswerable)
        long_right = share(long_staff.right, long_staff.answerable)
        lines += [
            "",
            f"answerable answered right:      {right.strip()} (target >= 85%)",
            f"answerable answered wrong:      {wrong.strip()} (target <= 3%)",
            f"answerable with a right entry among the suggestions: {total.suggested_right}",
            f"unanswerable answered anyway:   {false.strip()} (target <= 5%)",
            f"staff 30+ words answered right: {long_right.strip()} (target >= 75%)",
        ]
        return lines

    @property
    def passed(self) -> bool:
        if self.is_real:
            total = self.tally()
            return (
                total.right_rate >= REAL_RIGHT_FLOOR
                and total.wrong_rate <= REAL_WRONG_CEILING
                and total.false_rate <= REAL_FALSE_CEILING
                and self.long_staff.right_rate >= REAL_LONG_STAFF_FLOOR
            )
        return (
            self.answer_accuracy >= 0.92
            and self.false_answer_rate <= 0.03
            and not self.confused_pairs
        )


def read_question_file(path: Path) -> str:
    """A question file's text (a byte-order mark dropped); DevSetError naming it if unreadable."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, ValueError) as error:
        raise DevSetError(f"{path}: not a valid question file ({error})") from error


def load_dev_set(path: Path) -> tuple[list[Case], list[tuple[Case, Case]]]:
    """Read a dev set or real-question file; raise DevSetError naming the file on any problem."""
    return parse_dev_set(read_question_file(path), path)


def parse_dev_set(text: str, path: Path) -> tuple[list[Case], list[tuple[Case, Case]]]:
    """A dev set or real-question file's ``text`` (from ``path``, named in errors)."""
    try:
        # The knowledge loader's parse: yaml.safe_load's result, with libyaml where available.
        data, _ = parse_yaml(text)
        if isinstance(data, list):
            return [_real_case(item) for item in data], []
        cases = [_case(item) for item in data["questions"]]
        pairs = [(_case(a), _case(b)) for a, b in data.get("must_not_confuse") or []]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise DevSetError(f"{path}: not a valid question file ({error})") from error
    return cases, pairs


def is_held_out(path: Path) -> bool:
    """Whether the file's opening comment marks it held out (see ``marks_held_out``)."""
    return marks_held_out(read_question_file(path))


def marks_held_out(text: str) -> bool:
    """Whether a question file's opening comment marks it held out (``HELD_OUT_MARK``), in
    any case and indentation, after blank lines, a byte-order mark or YAML's ``---``."""
    mark = HELD_OUT_MARK.strip("# :").casefold()  # "held out"
    for line in text.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            if stripped.lstrip("# ").casefold().startswith(mark):
                return True
        elif stripped and not stripped.startswith(("---", "%")):
            return False
    return False


def _case(item: dict[str, Any]) -> Case:
    expect = item["expect"]
    return Case(
        str(item["q"]),
        tuple(str(e) for e in expect) if isinstance(expect, list) else (str(expect),),
        str(item.get("category", "pair")),
        item.get("mentions"),
    )


def _real_case(item: dict[str, Any]) -> Case:
    ids = tuple(str(i) for i in item["ids"])
    asker = str(item["asker"])
    if asker not in ("staff", "patient"):
        raise ValueError(f"asker must be staff or patient, not {asker!r}")
    category = "answerable" if ids else "unanswerable"
    return Case(str(item["q"]), ids or ("none",), category, None, asker, item.get("source"))


def evaluate(matcher: Matcher, cases: list[Case], pairs: list[tuple[Case, Case]]) -> Report:
    """Run every case through the matcher.

    In real-question files, labels that name no entry of this knowledge base (say, a
    planned entry) are dropped; a question left without any counts as one nothing answers.
    """
    known = {entry.id for entry in matcher.knowledge.entries} | SPECIAL_EXPECTATIONS
    cases = [_known_labels(case, known) for case in cases]
    outcomes = tuple(Outcome(case, matcher.answer(case.question)) for case in cases)
    run_pairs = tuple(
        (Outcome(a, matcher.answer(a.question)), Outcome(b, matcher.answer(b.question)))
        for a, b in pairs
    )
    return Report(outcomes, run_pairs)


def _known_labels(case: Case, known: set[str]) -> Case:
    if case.asker is None or not case.answerable:  # dev sets name existing ids only
        return case
    expect = tuple(label for label in case.expect if label in known)
    if expect:
        return Case(case.question, expect, case.category, case.mentions, case.asker, case.source)
    return Case(case.question, ("none",), "unanswerable", None, case.asker, case.source)


def _asked_by(outcome: Outcome, *, asker: str) -> bool:
    return outcome.case.asker == asker


def _words_between(outcome: Outcome, *, low: int, high: int) -> bool:
    return low <= outcome.case.words <= high
