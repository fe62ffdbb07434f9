"""Inline mode: ``@bot question`` lists up to 10 answers; an empty query lists useful ones."""

from __future__ import annotations

import asyncio

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot.handlers.common import expect, matcher_of, record
from bot.handlers.context import BotContext, Handler
from bot.knowledge import Entry, KnowledgeBase
from bot.replies import entry_reply, render_html

MAX_RESULTS = 10
DESCRIPTION_LENGTH = 90
# Telegram caches inline answers (300 s by default); keep it short so edits show soon.
CACHE_SECONDS = 60
# Telegram sends an inline query per keystroke: only the last query of a burst is logged.
LOG_AFTER_SECONDS = 3.0


def article(entry: Entry, knowledge: KnowledgeBase) -> InlineQueryResultArticle:
    """An inline result whose sent message is the full answer with its sources."""
    message = render_html(entry_reply(entry, knowledge, compact=True))[0]
    description = " ".join(entry.answer.split())
    if len(description) > DESCRIPTION_LENGTH:
        description = description[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return InlineQueryResultArticle(
        id=entry.id,
        title=entry.question,
        description=description,
        input_message_content=InputTextMessageContent(message, parse_mode=ParseMode.HTML),
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """Answer an inline query with the best-matching entries."""
    query = expect(update.inline_query, "inline query")
    matcher = matcher_of(context)
    knowledge = matcher.knowledge
    text = query.query.strip()
    if text:
        entries = [c.entry for c in matcher.search(text, MAX_RESULTS)]
    else:  # each topic's first question, then the rest in file order
        by_topic = [knowledge.entries_in(topic.id) for topic in knowledge.topics]
        firsts = [entries[0] for entries in by_topic if entries]
        entries = (firsts + [e for e in knowledge.entries if e not in firsts])[:MAX_RESULTS]
    results = [article(entry, knowledge) for entry in entries]
    await query.answer(results, cache_time=CACHE_SECONDS)
    if text:
        _record_when_typing_stops(context, query.from_user.id, text)


def _record_when_typing_stops(context: BotContext, user_id: int, text: str) -> None:
    """Log the query once the user has stopped typing; user ids stay in memory for seconds."""
    pending = context.bot_data.inline_pending
    if (earlier := pending.pop(user_id, None)) is not None:
        earlier.cancel()

    def flush() -> None:  # matched here, once per burst, not once per keystroke
        pending.pop(user_id, None)
        record(context, "inline", matcher_of(context).answer(text))

    pending[user_id] = asyncio.get_running_loop().call_later(LOG_AFTER_SECONDS, flush)


HANDLERS: list[Handler] = [InlineQueryHandler(inline_query)]
