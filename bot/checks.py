"""Warnings about the knowledge base that ``run_bot.py check`` prints.

Unlike the validation in :mod:`bot.knowledge`, which rejects a broken file, these are
advice that needs the compiled matcher: weak or overlapping wordings, shared codes and
entries due for review.

Overlap means: an alternate or keyword of one entry, asked as a question, ranks another
entry first (or describes a case). Asking all of them through ``Matcher.answer`` took 165 s
at 10,000 entries, so most are settled by a bound first (:func:`_surely_its_own`): a
candidate's score is at most 100 x its coverage + every bonus, and the entry's own score
drops at most ``WORDING_WEIGHT`` in the wording tie-break, so when the entry's own score
exceeds what any other entry's coverage allows, it ranks first. The rest are answered in
full, once per wording; the warnings are the same either way (tests/test_checks.py
compares them). Each distinct wording is looked at once; a large knowledge base is checked
on every core when that is safe (Linux, one thread): forked worker processes inherit the
compiled matcher and take a slice of the wordings each.

A knowledge base of more than ``OVERLAPS_UP_TO`` entries is checked without the overlaps
unless they are asked for (``run_bot.py check --overlaps``): they answer every wording
(about 25 s at 10,000 entries on two cores), the other warnings need no compiled matcher
and take seconds.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bot.index import sorted_words
from bot.knowledge import KnowledgeBase
from bot.matching import (
    EXACT_BONUS,
    MAX_KEYWORD_BONUS,
    MAX_TOPIC_BONUS,
    POINT_BONUS,
    WORDING_WEIGHT,
    Candidate,
    Matcher,
)
from bot.query import Query, readable_part
from bot.replies import entry_reply, render_html
from bot.text import display_code, is_code, normalise

# Fewer ways of asking than this and an entry is easily missed (`check` warns).
MIN_ALTERNATES = 8
# The most that bonuses add to a candidate's score (see Matcher._candidate).
MAX_BONUS = EXACT_BONUS + MAX_KEYWORD_BONUS + MAX_TOPIC_BONUS + POINT_BONUS
# Below this many wordings, starting worker processes costs more than it saves.
PARALLEL_FROM = 5_000
# Slices per worker: the entries' wordings differ in cost, so smaller slices even it out.
SLICES_PER_WORKER = 4
# Above this many entries check leaves the overlaps out unless asked (see above).
OVERLAPS_UP_TO = 2_000

# The matcher the forked workers check against (set before the pool starts).
_shared_matcher: Matcher | None = None


def knowledge_warnings(matcher: Matcher, today: dt.date) -> list[str]:
    """What check warns about: few alternates, texts that match another entry better,
    codes listed under several entries, answers longer than one message, entries not
    reviewed for 12 months."""
    return _warnings(matcher.knowledge, today, _overlaps(matcher))


def warnings_without_overlaps(knowledge: KnowledgeBase, today: dt.date) -> list[str]:
    """check's warnings but the texts that match another entry better: no matcher."""
    return _warnings(knowledge, today, [[] for _ in knowledge.entries])


def _warnings(knowledge: KnowledgeBase, today: dt.date, found: list[list[str]]) -> list[str]:
    """The warnings, with ``found``: per entry, its overlaps."""
    warnings: list[str] = []
    for entry, overlaps in zip(knowledge.entries, found, strict=True):
        if len(entry.alternates) < MIN_ALTERNATES:
            warnings.append(
                f"entry '{entry.id}': only {len(entry.alternates)} alternates"
                f" (aim for {MIN_ALTERNATES} or more)"
            )
        warnings += overlaps
    owners: dict[str, list[str]] = {}
    for entry in knowledge.entries:
        for keyword in entry.keywords:
            if is_code(code := normalise(keyword)):
                owners.setdefault(display_code(code), []).append(entry.id)
    for code, ids in owners.items():
        if len(set(ids)) > 1:
            warnings.append(f"code {code} is a keyword of several entries: {', '.join(ids)}")
    for entry in knowledge.entries:
        parts = len(render_html(entry_reply(entry, knowledge, compact=True)))
        if parts > 1:
            warnings.append(
                f"entry '{entry.id}': the answer takes {parts} Telegram messages; inline mode"
                " sends a shortened one with a link to the rest (aim for one message)"
            )
        # A private chat shows the plain words for patients and the full answer together.
        parts = len(render_html(entry_reply(entry, knowledge)))
        if entry.patient_answer and parts > 1:
            warnings.append(
                f"entry '{entry.id}': its patient_answer and answer take {parts} Telegram"
                " messages in a private chat (aim for one message)"
            )
    for entry in knowledge.stale_entries(today):
        warnings.append(
            f"entry '{entry.id}': last reviewed {entry.reviewed:%Y-%m-%d}, over 12 months ago;"
            " check its codes and policies and update 'reviewed'"
        )
    return warnings


@dataclass(frozen=True)
class _Answered:
    """What answering a wording gave, as far as the warnings need it."""

    case_entry: str | None
    best_entry: str | None
    best_score: int


def _overlaps(matcher: Matcher) -> list[list[str]]:
    """Per entry, its alternates and keywords that another entry answers (or that
    describe a case). Each distinct wording is looked at once (keywords recur across
    entries), on every core when the knowledge base is large."""
    entries = matcher.knowledge.entries
    owners: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        for phrase in (*entry.alternates, *entry.keywords):
            owners.setdefault(phrase, []).append(index)
    answered = _answer_all(matcher, list(owners.items()))
    found: list[list[str]] = []
    for entry in entries:
        overlaps: list[str] = []
        for kind, texts in (("alternate", entry.alternates), ("keyword", entry.keywords)):
            for phrase in texts:
                result = answered.get(phrase)
                if result is None:
                    continue
                if result.case_entry is not None and entry.id != result.case_entry:
                    overlaps.append(
                        f"entry '{entry.id}': {kind} {phrase!r} describes a case: the case"
                        " coder counts it, so it never reaches this entry"
                    )
                elif result.best_entry is not None and result.best_entry != entry.id:
                    overlaps.append(
                        f"entry '{entry.id}': {kind} {phrase!r} matches '{result.best_entry}'"
                        f" better (score {result.best_score})"
                    )
        found.append(overlaps)
    return found


def _answer_all(matcher: Matcher, wordings: list[tuple[str, list[int]]]) -> dict[str, _Answered]:
    """The answers to the wordings that may warn (see _answer_some), in worker processes
    when there are many and forking is safe."""
    workers = _usable_cores()
    if len(wordings) < max(1, PARALLEL_FROM) or workers < 2 or not _can_fork():
        return _answer_some(matcher, wordings)
    step = -(-len(wordings) // (workers * SLICES_PER_WORKER))
    slices = [wordings[start : start + step] for start in range(0, len(wordings), step)]
    global _shared_matcher
    _shared_matcher = matcher  # the forked workers inherit it; nothing is pickled
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return {
                phrase: result
                for part in pool.map(_answer_in_worker, slices)
                for phrase, result in part.items()
            }
    except BrokenProcessPool:  # a worker died (out of memory): one process does it all
        return _answer_some(matcher, wordings)
    finally:
        _shared_matcher = None


def _usable_cores() -> int:
    """The cores this process may run on (its affinity), not all the machine has."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _can_fork() -> bool:
    """Fork only where it is safe: on Linux (macOS's system libraries are not fork-safe),
    and from a process with one thread. A thread holding a lock when the process forks
    leaves the lock held for ever in the child: the bot's /teach button checks the
    knowledge in a worker thread while the event loop answers others."""
    return sys.platform == "linux" and threading.active_count() == 1


def _answer_in_worker(wordings: list[tuple[str, list[int]]]) -> dict[str, _Answered]:
    assert _shared_matcher is not None
    return _answer_some(_shared_matcher, wordings)


def _answer_some(matcher: Matcher, wordings: list[tuple[str, list[int]]]) -> dict[str, _Answered]:
    """Each wording answered in full, unless it is one entry's and surely its own; a
    wording of several entries is answered anyway (at most one of them comes first)."""
    answered: dict[str, _Answered] = {}
    for phrase, indexes in wordings:
        if len(indexes) == 1 and _surely_its_own(matcher, phrase, indexes[0]):
            continue
        result = matcher.answer(phrase)
        best = result.best
        answered[phrase] = _Answered(
            result.case.entry.id if result.case is not None else None,
            best.entry.id if best is not None else None,
            best.score if best is not None else 0,
        )
    return answered


def _surely_its_own(matcher: Matcher, phrase: str, index: int) -> bool:
    """Whether ``matcher.answer(phrase)`` certainly warns of nothing for entry ``index``:
    no case is described and, if entries are ranked, entry ``index`` comes first.

    False means only "not certain": the phrase is then answered in full.
    """
    if matcher.knowledge.entries is not matcher._index.entries:
        return False  # a matcher whose knowledge was swapped (tests): no shortcut
    query = matcher._reader.read(phrase)
    if not query.words:
        return True  # answered "none" without candidates
    if matcher._cases.answer(readable_part(phrase)) is not None:
        return False
    # Early answers (safety, small talk, a code-set answer) have no candidates: no warning.
    owners = {code: matcher._code_index(code) for code in query.codes}
    coverage, _ = matcher._coverage(query, owners)
    own = coverage.pop(index, None)
    if own is None:
        return False
    others = max(coverage.values(), default=0.0)
    # The entry's exact score as the full ranking computes it (its similarity and bonuses
    # depend on its own texts only), less the most the wording tie-break can take.
    candidate = _own_candidate(matcher, query, index, own, owners)
    return candidate.raw_score - WORDING_WEIGHT > 100 * others + MAX_BONUS


def _own_candidate(
    matcher: Matcher, query: Query, index: int, share: float, owners: dict[str, int | None]
) -> Candidate:
    """Entry ``index`` scored for ``query`` as Matcher._rank scores it. A wording read
    back is usually one of the entry's own compiled texts (their words are sorted):
    similarity 100 (both ratios of the same words), without comparing it with the others."""
    content = matcher._compared_text(query, owners)
    first, end = matcher.index.text_ranges[index]
    texts, sorted_content = matcher.index.texts, sorted_words(content.split())
    same = next((p for p in range(first, end) if texts[p] == sorted_content), None)
    if content and same is not None:
        return matcher._candidate(query, index, share, (100.0, same), owners)
    [candidate] = matcher._rank(query, [(index, share)], owners)
    return candidate
