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
compares them).
"""

from __future__ import annotations

import datetime as dt

from bot.knowledge import KnowledgeBase
from bot.matching import (
    EXACT_BONUS,
    MAX_KEYWORD_BONUS,
    MAX_TOPIC_BONUS,
    POINT_BONUS,
    WORDING_WEIGHT,
    Matcher,
    Result,
)
from bot.query import MAX_QUERY_CHARS
from bot.replies import entry_reply, render_html
from bot.text import display_code, is_code, normalise

# Fewer ways of asking than this and an entry is easily missed (`check` warns).
MIN_ALTERNATES = 8
# The most that bonuses add to a candidate's score (see Matcher._candidate).
MAX_BONUS = EXACT_BONUS + MAX_KEYWORD_BONUS + MAX_TOPIC_BONUS + POINT_BONUS


def knowledge_warnings(matcher: Matcher, today: dt.date) -> list[str]:
    """What check warns about: few alternates, texts that match another entry better,
    codes listed under several entries, answers longer than one message, entries not
    reviewed for 12 months."""
    knowledge: KnowledgeBase = matcher.knowledge
    warnings: list[str] = []
    # Answers are the same for the same words: keywords recur across entries.
    answered: dict[str, Result] = {}
    for index, entry in enumerate(knowledge.entries):
        if len(entry.alternates) < MIN_ALTERNATES:
            warnings.append(
                f"entry '{entry.id}': only {len(entry.alternates)} alternates"
                f" (aim for {MIN_ALTERNATES} or more)"
            )
        for kind, texts in (("alternate", entry.alternates), ("keyword", entry.keywords)):
            for phrase in texts:
                result = answered.get(phrase)
                if result is None:
                    if _surely_its_own(matcher, phrase, index):
                        continue
                    result = answered[phrase] = matcher.answer(phrase)
                best = result.best
                if result.case is not None and entry.id != result.case.entry.id:
                    warnings.append(
                        f"entry '{entry.id}': {kind} {phrase!r} describes a case: the case"
                        " coder counts it, so it never reaches this entry"
                    )
                elif best is not None and best.entry.id != entry.id:
                    warnings.append(
                        f"entry '{entry.id}': {kind} {phrase!r} matches '{best.entry.id}'"
                        f" better (score {best.score})"
                    )
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
    for entry in knowledge.stale_entries(today):
        warnings.append(
            f"entry '{entry.id}': last reviewed {entry.reviewed:%Y-%m-%d}, over 12 months ago;"
            " check its codes and policies and update 'reviewed'"
        )
    return warnings


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
    if matcher._cases.answer(phrase[:MAX_QUERY_CHARS]) is not None:
        return False
    # Early answers (safety, small talk, a code-set answer) have no candidates: no warning.
    owners = {code: matcher._code_index(code) for code in query.codes}
    coverage, _ = matcher._coverage(query, owners)
    own = coverage.get(index)
    if own is None:
        return False
    others = max((share for other, share in coverage.items() if other != index), default=0.0)
    # The entry's exact score as the full ranking computes it (its similarity and bonuses
    # depend on its own texts only), less the most the wording tie-break can take.
    [candidate] = matcher._rank(query, [(index, own)], owners)
    return candidate.raw_score - WORDING_WEIGHT > 100 * others + MAX_BONUS
