"""The knowledge base as typed, frozen dataclasses: what the matcher and the replies read.

Nothing here knows about YAML; :mod:`bot.knowledge.loader` builds these objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Source:
    """A citation shown under an answer; ``url`` only where a checked link exists."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Topic:
    """A group of entries, offered when the bot cannot answer.

    ``for_staff``: the entries answer billing staff (coding, coverage, drugs); a question
    is answered with one of them only when it uses their words (see bot.index).
    """

    id: str
    title: str
    keywords: tuple[str, ...] = ()
    for_staff: bool = False


@dataclass(frozen=True)
class Entry:
    """One question and its answer, with the texts the matcher compares against.

    ``patient_answer``: for an answer written for billing staff, the same in plain words
    for a patient; a private chat shows it first, with the full answer folded beneath,
    unless the question was asked in billing words.
    """

    id: str
    topic: str
    question: str
    answer: str
    sources: tuple[Source, ...]
    reviewed: dt.date
    alternates: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    patient_answer: str | None = None


@dataclass(frozen=True)
class SmalltalkIntent:
    """Greetings, thanks and the like: patterns and the one reply they get."""

    id: str
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class SafetyRule:
    """A message that may describe an emergency; checked before any answer.

    It applies when the message contains one of ``patterns``, or one of ``symptoms``
    together with one of ``context`` ("chest pain" with "my"), so that general questions
    ("is chest pain a side effect?") still get their entry. A report (no question, billing
    word or point asked; see Matcher._reports) needs only one of ``symptoms`` with one of
    ``reported`` ("difficulty breathing after tpi").
    """

    id: str
    reply: str
    patterns: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    reported: tuple[str, ...] = ()
    # Phrases that mean something else ("lump sum"): the rule ignores them.
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Point:
    """A kind of thing people ask (cost, duration, pain during...) and the entries answering it.

    ``cues`` are phrases (syntax of :mod:`bot.phrases`) that show a question asks this point.
    ``unanswered`` says, for a point no entry answers, what the bot has no answer on ("how
    soon an injection starts to work"); the reply names it. ``subject_alone``: a question
    that names nothing but the bot's own subject ("But what is a knot, really?") asks this
    point. ``for_staff``: billing staff ask it, so a billing question keeps it even when no
    entry for staff answers it (a point no entry answers: "what is the RVU for 20552").
    ``billing_entries`` answer it only when it is asked in billing words or with a code:
    "how many times can I bill 20553 a day" asks the units entry, "how many times can they
    inject my upper trap" does not. ``reports``: its cues tell a symptom after the injection
    ("fainted after the shot"), so a message that asks no question and no other point
    still reports it, for the safety replies (:meth:`bot.matching.Matcher._reports`).
    """

    id: str
    cues: tuple[str, ...]
    entries: tuple[str, ...]
    unanswered: str | None = None
    subject_alone: bool = False
    for_staff: bool = False
    billing_entries: tuple[str, ...] = ()
    reports: bool = False


@dataclass(frozen=True)
class DiagnosisList:
    """The ICD-10-CM codes a payer policy covers for trigger point injections.

    ``scope`` says whom the policy binds (which contractors, which differ); ``context_terms``
    are the words and codes that put a question about a code in this list's context.
    """

    id: str
    title: str
    policy: str
    scope: str
    codes: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed: dt.date
    context_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class MuscleTerm:
    """A muscle, a body region or a non-muscle site, with the words people use for it.

    ``kind`` is ``muscle`` (counted for 20552/20553), ``region`` (not a muscle: the case
    coder asks which muscles) or ``site`` (a joint, tendon or nerve: not a trigger point
    code). ``note`` is said whenever the muscle is counted (how a group is counted).
    """

    id: str
    kind: str
    name: str
    names: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole validated knowledge base; immutable once loaded."""

    topics: tuple[Topic, ...]
    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    smalltalk: tuple[SmalltalkIntent, ...] = ()
    safety: tuple[SafetyRule, ...] = ()
    points: tuple[Point, ...] = ()
    # Subjects the knowledge base does not cover ("mri", "physical therapy"), each with the
    # phrases that name it; see knowledge/points.yaml.
    other_subjects: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Per other subject, the entries that answer questions about it though their wordings
    # do not name it ("Do cortisone shots raise blood sugar?": pregnancy-diabetes).
    other_subject_answers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Per entry id, the phrases a question must name (or a code) for that entry to be its
    # answer: the same-day entries are about a TPI beside another service.
    required_words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    diagnosis_lists: tuple[DiagnosisList, ...] = ()
    muscle_terms: tuple[MuscleTerm, ...] = ()
    _entries_by_id: Mapping[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = MappingProxyType({entry.id: entry for entry in self.entries})
        object.__setattr__(self, "_entries_by_id", by_id)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._entries_by_id.get(entry_id)

    def own(self, entry: Entry) -> Entry:
        """This knowledge's object for ``entry`` if it has an equal one, else ``entry``: a
        reload shares what did not change instead of holding equal copies."""
        kept = self._entries_by_id.get(entry.id)
        return kept if kept is not None and kept == entry else entry

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def entries_in(self, topic_id: str) -> tuple[Entry, ...]:
        """The entries of one topic, in file order."""
        return tuple(entry for entry in self.entries if entry.topic == topic_id)

    def stale_entries(self, today: dt.date, max_age_days: int = 365) -> tuple[Entry, ...]:
        """Entries not reviewed within ``max_age_days`` of ``today``, oldest first."""
        cutoff = today - dt.timedelta(days=max_age_days)
        stale = (entry for entry in self.entries if entry.reviewed < cutoff)
        return tuple(sorted(stale, key=lambda entry: entry.reviewed))


@dataclass(frozen=True)
class KnowledgeChanges:
    """What a reload changed, by entry id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    edited: tuple[str, ...]

    def __str__(self) -> str:
        parts = [
            f"{label}: {', '.join(ids)}"
            for label, ids in (
                ("added", self.added),
                ("removed", self.removed),
                ("edited", self.edited),
            )
            if ids
        ]
        return "; ".join(parts) or "no entry changed"


def compare(old: KnowledgeBase, new: KnowledgeBase) -> KnowledgeChanges:
    """Entries added, removed and edited between two loads."""
    before = {entry.id: entry for entry in old.entries}
    after = {entry.id: entry for entry in new.entries}
    return KnowledgeChanges(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        edited=tuple(i for i in after if i in before and after[i] != before[i]),
    )
