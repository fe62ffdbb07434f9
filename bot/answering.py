"""From a question to a reply: the one path that every front end takes.

Telegram messages and ``/ask``, the console and ``run_bot.py ask`` all call
:func:`answer`, so a step that applies to every question (a check before matching, say)
has one place to go.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching import Matcher, Result
from bot.replies import Reply, reply_for


@dataclass(frozen=True)
class Answered:
    """The matcher's result (for logs and JSON) and the reply to show."""

    result: Result
    reply: Reply


def answer(matcher: Matcher, question: str, *, compact: bool = False) -> Answered:
    """Match ``question`` and build its reply; ``compact`` drops the extras for groups."""
    result = matcher.answer(question)
    return Answered(result, reply_for(result, matcher.knowledge, compact=compact))
