"""Inline mode: ``@bot question`` lists up to 10 answers; an empty query lists useful ones."""

from __future__ import annotations

import asyncio

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler
from telegram.helpers import create_deep_linked_url

from bot.case_answers import CaseAnswer
from bot.handlers.common import (
    expect,
    load_code_set_for,
    matcher_of,
    record,
    without_mentions,
)
from bot.handlers.context import BotContext, Handler
from bot.knowledge import Entry, KnowledgeBase
from bot.matching import Matcher
from bot.replies import case_reply, one_message_reply, render_html, safety_reply
from bot.results import Result, Status

MAX_RESULTS = 10
DESCRIPTION_LENGTH = 90
# Telegram caches inline answers (300 s by default); keep it short so edits show soon.
CACHE_SECONDS = 60
# Telegram sends an inline query per keystroke: only the last query of a burst is logged.
LOG_AFTER_SECONDS = 3.0
# How often a waiting log entry checks whether the bot is stopping.
STOP_CHECK_SECONDS = 0.2
# A query nothing matches gets a button to the private chat, where the same question gets
# suggestions or the topics instead of an empty list (the start parameter opens /start).
INLINE_START = "inline"
NO_MATCH_BUTTON = InlineQueryResultsButton(
    text="No answer found: ask me in a private chat", start_parameter=INLINE_START
)


def article(entry: Entry, knowledge: KnowledgeBase, bot_username: str) -> InlineQueryResultArticle:
    """An inline result whose sent message is the answer with its sources, in one message.

    A long answer is shortened and links to the full one (a deep link into a private chat).
    """
    try:
        full_answer_url: str | None = create_deep_linked_url(bot_username, entry.id)
    except ValueError:  # ids longer than Telegram's 64-character start parameter
        full_answer_url = None
    message = render_html(one_message_reply(entry, knowledge, full_answer_url))[0]
    return InlineQueryResultArticle(
        id=entry.id,
        title=entry.question,
        description=_shortened(entry.answer),
        input_message_content=InputTextMessageContent(message, parse_mode=ParseMode.HTML),
    )


def safety_article(result: Result, knowledge: KnowledgeBase) -> InlineQueryResultArticle:
    """The safety reply as the only result: a message that may describe an emergency gets
    it before and instead of any answer, in inline mode as in a chat."""
    assert result.safety is not None
    message = render_html(safety_reply(result, knowledge, compact=True))[0]
    first, _, rest = result.safety.reply.partition(". ")
    return InlineQueryResultArticle(
        id=f"safety:{result.safety.id}"[:64],
        title=f"⚠️ {_shortened(first.rstrip('.') + '.')}",
        description=_shortened(rest),
        input_message_content=InputTextMessageContent(message, parse_mode=ParseMode.HTML),
    )


def _shortened(text: str) -> str:
    """``text`` on one line, cut at a word to fit a result's description."""
    line = " ".join(text.split())
    if len(line) <= DESCRIPTION_LENGTH:
        return line
    return line[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def case_article(case: CaseAnswer, knowledge: KnowledgeBase) -> InlineQueryResultArticle:
    """A described case counted: the count and code first, as in a group chat."""
    message = render_html(case_reply(case, knowledge, compact=True))[0]
    return InlineQueryResultArticle(
        # Unique among the entry results (whose ids have no colon), at most 64 bytes.
        id=f"case:{case.code or 'ask'}:{len(case.muscles)}",
        title=case.title,
        description=case.paragraphs[0][:DESCRIPTION_LENGTH] if case.paragraphs else "",
        input_message_content=InputTextMessageContent(message, parse_mode=ParseMode.HTML),
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """Answer an inline query with the best-matching entries."""
    query = expect(update.inline_query, "inline query")
    matcher = matcher_of(context)
    knowledge = matcher.knowledge
    text = without_mentions(query.query)
    # A question that looks a code up is answered from the code set, never as a case nor
    # an emergency: it need not wait for the code set to load here.
    answered = matcher.answer(text) if text and not matcher.needs_code_set(text) else None
    if answered is not None and answered.status is Status.SAFETY:
        results = [safety_article(answered, knowledge)]
    else:
        results = _entry_results(text, matcher, context.bot.username)
        if answered is not None and answered.case is not None:  # the counted case first
            results = [case_article(answered.case, knowledge), *results][:MAX_RESULTS]
    button = NO_MATCH_BUTTON if text and not results else None
    await query.answer(results, cache_time=CACHE_SECONDS, button=button)
    if text:
        _record_when_typing_stops(context, update, query.from_user.id, text)


def _entry_results(
    text: str, matcher: Matcher, bot_username: str
) -> list[InlineQueryResultArticle]:
    """The entries matching ``text``; for an empty query each topic's first question, then
    the rest in file order."""
    knowledge = matcher.knowledge
    if text:
        entries = [c.entry for c in matcher.search(text, MAX_RESULTS)]
    else:
        by_topic = [knowledge.entries_in(topic.id) for topic in knowledge.topics]
        firsts = [entries[0] for entries in by_topic if entries]
        entries = (firsts + [e for e in knowledge.entries if e not in firsts])[:MAX_RESULTS]
    return [article(entry, knowledge, bot_username) for entry in entries]


def _record_when_typing_stops(
    context: BotContext, update: Update, user_id: int, text: str
) -> None:
    """Log the query once the user has stopped typing; user ids stay in memory for seconds.

    The wait is an application task: python-telegram-bot hands its errors to the error
    handler and waits for it at shutdown, when it records at once instead of being lost.
    """
    latest = context.bot_data.inline_pending
    latest[user_id] = keystroke = object()
    context.application.create_task(
        _record_later(context, user_id, keystroke, text), update=update
    )


async def _record_later(context: BotContext, user_id: int, keystroke: object, text: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LOG_AFTER_SECONDS
    # python-telegram-bot has no "stopping" event to wait on; its running flag is polled.
    while context.application.running and (left := deadline - loop.time()) > 0:  # noqa: ASYNC110
        await asyncio.sleep(min(left, STOP_CHECK_SECONDS))
    latest = context.bot_data.inline_pending
    if latest.get(user_id) is not keystroke:
        return  # the user typed on: the later query is recorded instead
    del latest[user_id]
    # matched here, once per burst, not once per keystroke
    await load_code_set_for(context, text)
    record(context, "inline", matcher_of(context).answer(text))


HANDLERS: list[Handler] = [InlineQueryHandler(inline_query)]
