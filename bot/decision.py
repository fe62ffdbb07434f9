"""Decide how to reply from the ranked candidates: answer, suggest or none.

:class:`bot.matching.Matcher` scores a question into a :class:`Scored`; :func:`decide`
turns it into a :class:`bot.results.Result`. An answer needs a score and a lead (the
thresholds), the point asked, the subject asked about, an asker the entry is for, known
words and enough information; otherwise the close candidates are suggested, or none. A
question below the suggestion threshold that names a code an entry lists is offered that
entry instead of nothing (if it scores at least ``MIN_CODE_SUGGESTION``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.results import Candidate, Result, Status, Thresholds, is_long_message

# An answer needs the asking sentences to be mostly known words: in "side effects of the
# flu shot" the unknown "flu" is what is asked about, whatever the rest matches.
MAX_UNKNOWN_SHARE = 0.2
# A question scoring below the suggestion threshold is still offered the entries that
# list a code it names, unless even they score below this: then the code is a small part
# of a long message about something else ("are 64400, 64405 and 20553 medically
# necessary for ...").
MIN_CODE_SUGGESTION = 25.0
# Below this much information (summed word and code weight) a question is too vague to
# answer outright ("pain", "billing"): the best candidates are suggested instead.
MIN_INFORMATION = 0.5
# A long message scores low against every entry, its story diluting its question: its
# closest entries are still worth offering (with a hint to ask just the question) down to
# this many points below the suggestion threshold, rather than nothing.
LONG_MESSAGE_ALLOWANCE = 15.0
# A message of this many words or more, a sentence of story and a question, is diluted
# less: its closest entries are offered down to this many points below the threshold.
MID_MESSAGE_WORDS = 12
MID_MESSAGE_ALLOWANCE = 10.0


@dataclass(frozen=True)
class Scored:
    """Ranked candidates for a question, how much it says, and its unknown codes."""

    candidates: list[Candidate]
    information: float
    unknown_codes: tuple[str, ...]
    # Ids of the entries that answer the point asked; None when no point was recognised.
    point_entries: frozenset[str] | None = None
    # Share of the asking sentences' words that the knowledge base has never seen.
    unknown_share: float = 0.0
    # The other subjects asked about, and the ids of the entries that name them (None
    # when the question names none).
    other_subjects: tuple[str, ...] = ()
    subject_entries: frozenset[str] | None = None
    # Whether the question uses billing words (or codes): entries for staff need them.
    asks_staff: bool = True
    # Ids of the entries that list a code the question names (their keywords).
    code_entries: frozenset[str] = frozenset()
    # What the question asks, when every point it asks is one no entry answers.
    unanswered_points: tuple[str, ...] = ()
    # Whether it asks in billing words or codes (Query.asks_billing).
    asks_billing: bool = False
    # Ids of the entries whose required words the question does not name (never answers).
    unnamed_entries: frozenset[str] = frozenset()
    # A one-word message that many entries share ("modifier"): suggested, not answered.
    vague: bool = False


def decide(text: str, scored: Scored, limits: Thresholds, staff_ids: frozenset[str]) -> Result:
    """The reply for ``text``; ``staff_ids`` are the entries of topics for staff."""
    candidates = scored.candidates
    on_subject = scored.subject_entries is None or (
        bool(candidates) and candidates[0].entry.id in scored.subject_entries
    )
    # The reply says which subject the bot does not cover ("not physical therapy").
    beside = () if on_subject else scored.other_subjects
    suggest = _suggestion_floor(text, scored, limits)
    if not candidates or candidates[0].raw_score < suggest:
        # A code the knowledge lists is worth offering, however the rest of a long
        # message reads ("… 64646 … J0585 … how should I report these?").
        listed = [
            c
            for c in candidates
            if c.entry.id in scored.code_entries and c.raw_score >= MIN_CODE_SUGGESTION
        ]
        status = Status.SUGGEST if listed else Status.NONE
        kept = listed[: limits.max_suggestions] or candidates[:1]
        return _not_answered(status, text, kept, scored, beside)
    best = candidates[0]
    runner_up = candidates[1].raw_score if len(candidates) > 1 else 0.0
    confident = best.raw_score >= limits.answer and best.raw_score - runner_up >= limits.margin
    on_point = scored.point_entries is None or best.entry.id in scored.point_entries
    # An entry for staff answers a question in their words, or one asking its point.
    for_staff = best.entry.id in staff_ids
    audience = not for_staff or scored.asks_staff or scored.point_entries is not None
    known_subject = scored.unknown_share <= MAX_UNKNOWN_SHARE
    informative = scored.information >= MIN_INFORMATION and not scored.vague
    # Codes named, none of them known ("tpi + 64405 same day?"): the closest entries are
    # offered after "no information about 64405", never given as the answer.
    known_codes = not scored.unknown_codes or bool(scored.code_entries)
    named = best.entry.id not in scored.unnamed_entries
    answerable = on_point and on_subject and audience and known_subject and known_codes and named
    if confident and answerable and informative:
        return Result(
            Status.ANSWER,
            text,
            (best,),
            unknown_codes=scored.unknown_codes,
            asks_billing=scored.asks_billing,
        )
    close = [c for c in candidates if c.raw_score >= suggest]
    return _not_answered(Status.SUGGEST, text, close[: limits.max_suggestions], scored, beside)


def _suggestion_floor(text: str, scored: Scored, limits: Thresholds) -> float:
    """The score a candidate needs to be suggested: lower after a long or mid-length
    message whose question is in words the knowledge knows."""
    if scored.unknown_share > MAX_UNKNOWN_SHARE:
        return limits.suggest
    if is_long_message(text):
        return max(0.0, limits.suggest - LONG_MESSAGE_ALLOWANCE)
    if len(text.split()) >= MID_MESSAGE_WORDS:
        return max(0.0, limits.suggest - MID_MESSAGE_ALLOWANCE)
    return limits.suggest


def _not_answered(
    status: Status, text: str, candidates: list[Candidate], scored: Scored, beside: tuple[str, ...]
) -> Result:
    """A suggestion or none, with what kept the question from an answer: unknown codes,
    another subject (``beside``), points no entry answers."""
    return Result(
        status,
        text,
        tuple(candidates),
        unknown_codes=scored.unknown_codes,
        other_subjects=beside,
        unanswered_points=scored.unanswered_points,
    )
