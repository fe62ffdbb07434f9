"""Warnings about the knowledge base that ``run_bot.py check`` prints.

Unlike the validation in :mod:`bot.knowledge`, which rejects a broken file, these are
advice that needs the compiled matcher: weak or overlapping wordings, shared codes and
entries due for review.
"""

from __future__ import annotations

import datetime as dt

from bot.knowledge import KnowledgeBase
from bot.matching import Matcher
from bot.replies import entry_reply, render_html
from bot.text import display_code, is_code, normalise

# Fewer ways of asking than this and an entry is easily missed (`check` warns).
MIN_ALTERNATES = 8


def knowledge_warnings(matcher: Matcher, today: dt.date) -> list[str]:
    """What check warns about: few alternates, texts that match another entry better,
    codes listed under several entries, answers longer than one message, entries not
    reviewed for 12 months."""
    knowledge: KnowledgeBase = matcher.knowledge
    warnings: list[str] = []
    for entry in knowledge.entries:
        if len(entry.alternates) < MIN_ALTERNATES:
            warnings.append(
                f"entry '{entry.id}': only {len(entry.alternates)} alternates"
                f" (aim for {MIN_ALTERNATES} or more)"
            )
        for kind, texts in (("alternate", entry.alternates), ("keyword", entry.keywords)):
            for phrase in texts:
                result = matcher.answer(phrase)
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
