"""What the matcher decides: statuses, thresholds, candidates and results (frozen data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.case_answers import CaseAnswer
from bot.icd10_answers import CodeAnswer
from bot.knowledge import Entry, SafetyRule, SmalltalkIntent

# A message of more words than this is long: a story around its question, which scores
# lower against every entry than the question alone would.
LONG_MESSAGE_WORDS = 30


def is_long_message(text: str) -> bool:
    """Whether ``text`` is a long message (more than ``LONG_MESSAGE_WORDS`` words)."""
    return len(text.split()) > LONG_MESSAGE_WORDS


class Status(StrEnum):
    """What kind of reply a result calls for."""

    SAFETY = "safety"
    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Thresholds:
    """Score limits for each decision (see README, "Tuning the matcher")."""

    answer: float = 60.0
    suggest: float = 50.0
    margin: float = 3.0
    max_suggestions: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.suggest <= self.answer <= 100:
            raise ValueError("thresholds need 0 <= suggest <= answer <= 100")
        if self.margin < 0 or self.max_suggestions < 1:
            raise ValueError("margin must be >= 0 and max_suggestions >= 1")


@dataclass(frozen=True)
class Candidate:
    """An entry the question may be about, with why it scored what it did."""

    entry: Entry
    raw_score: float
    matched: str
    reasons: tuple[str, ...] = ()

    @property
    def score(self) -> int:
        """The score shown to people, 0-100; ranking uses the uncapped ``raw_score``."""
        return max(0, min(100, round(self.raw_score)))


@dataclass(frozen=True)
class Result:
    """The decision for one question."""

    status: Status
    query: str
    candidates: tuple[Candidate, ...] = ()
    smalltalk: SmalltalkIntent | None = None
    unknown_codes: tuple[str, ...] = ()
    safety: SafetyRule | None = None
    # An answer about ICD-10-CM codes from the code set (status answer, no entry).
    icd10: CodeAnswer | None = None
    # A described case counted by the case coder (status answer, its entry as candidate).
    case: CaseAnswer | None = None
    # Subjects the question is about that the knowledge base does not cover ("mri"), when
    # it was not answered because of them (knowledge/points.yaml, other_subjects).
    other_subjects: tuple[str, ...] = ()
    # What the question asks that no entry answers ("how soon an injection
    # starts to work"), when it was not answered because of that (knowledge/points.yaml).
    unanswered_points: tuple[str, ...] = ()
    # Whether the question was asked in billing words or codes: an entry's answer is then
    # shown in full, not its plain words for patients first (Entry.patient_answer).
    asks_billing: bool = False
    # The language the message is in when not English (bot.language): it was not read.
    language: str | None = None

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None

    @property
    def entry(self) -> Entry | None:
        """The answered entry (status answer only)."""
        return (
            self.candidates[0].entry if self.status is Status.ANSWER and self.candidates else None
        )

    @property
    def score(self) -> int:
        """The top candidate's score, 0 when there is none; 100 for a code-set answer."""
        if self.icd10 is not None:
            return 100
        return self.candidates[0].score if self.candidates else 0
