"""Admin commands, in private chats only: /reload and /stats.

/unanswered and the teach buttons live in bot.handlers.teach, which registers /stats too
(adding the answers voted not helpful).

Admins are the user ids in ADMIN_USER_IDS. Anyone else gets "not allowed" in a private
chat; in groups these commands are not registered, so the bot stays silent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.handlers.common import (
    matcher_of,
    message_of,
    question_log_of,
    send_reply,
    serve_matcher,
    settings_of,
)
from bot.handlers.context import BotContext, Handler
from bot.knowledge import KnowledgeError, compare
from bot.knowledge_cache import load_matcher
from bot.logreader import LogReader
from bot.replies import Reply, text
from bot.reports import parse_since, stale_lines, stats_lines

logger = logging.getLogger(__name__)

NOT_ALLOWED = "Sorry, that command is for the bot's admins."
NO_LOG = "No questions have been recorded yet."


async def _is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    if user is not None and user.id in settings_of(context).admin_user_ids:
        return True
    await send_reply(message_of(update), Reply(text(NOT_ALLOWED)))
    return False


async def reload(update: Update, context: BotContext) -> None:
    """Re-read the knowledge directory; on errors keep serving the old knowledge."""
    if not await _is_admin(update, context):
        return
    settings = settings_of(context)
    directory = settings.knowledge_dir
    # Chats are served concurrently: two reloads at once would race to replace the matcher.
    async with context.bot_data.reload_lock:
        old = matcher_of(context)
        try:
            # Worker threads: questions from other chats are answered meanwhile, by the old
            # matcher, until the new one replaces it in one assignment.
            matcher = await asyncio.to_thread(
                load_matcher, directory, settings.data_dir, old.thresholds, old
            )
        except KnowledgeError as error:
            count = len(old.knowledge.entries)
            kept = f"Reload failed; still serving the previous knowledge ({count} entries)."
            await send_reply(message_of(update), Reply(text(kept, str(error))))
            return
        await serve_matcher(context, matcher)
    knowledge = matcher.knowledge
    changes = compare(old.knowledge, knowledge)
    logger.info("knowledge reloaded from %s: %s", directory, changes)
    done = f"Reloaded {len(knowledge.entries)} entries from {directory}: {changes}."
    await send_reply(message_of(update), Reply(text(done)))


async def stats(update: Update, context: BotContext) -> None:
    """/stats [days | YYYY-MM-DD]: questions by status, most asked entries, feedback."""
    lines = await _from_log(update, context, 7, lambda log, since: stats_lines(log.stats(since)))
    if lines is not None:
        knowledge = matcher_of(context).knowledge
        stale = stale_lines(knowledge, dt.datetime.now(dt.UTC).date())
        await send_reply(message_of(update), Reply(text("\n".join(lines), "\n".join(stale))))


async def _from_log(
    update: Update,
    context: BotContext,
    default_days: int,
    read: Callable[[LogReader, dt.datetime], list[str]],
) -> list[str] | None:
    """Admin check, the since argument, then ``read`` in a worker thread (it hits the disk).

    None means a reply (not allowed, usage) was already sent.
    """
    if not await _is_admin(update, context):
        return None
    since = await _since(update, context, default_days=default_days)
    if since is None:
        return None
    log = question_log_of(context)
    reader = LogReader(log.path) if log is not None else None
    if reader is None or not reader.exists():
        return [NO_LOG]
    return await asyncio.to_thread(read, reader, since)


async def _since(update: Update, context: BotContext, *, default_days: int) -> dt.datetime | None:
    argument = context.args[0] if context.args else None
    try:
        return parse_since(argument, dt.datetime.now(dt.UTC).date(), default_days)
    except ValueError as error:
        await send_reply(message_of(update), Reply(text(f"Usage: {error}.")))
        return None


PRIVATE = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE

HANDLERS: list[Handler] = [
    CommandHandler("reload", reload, filters=PRIVATE),
    # /stats and /unanswered are registered by bot.handlers.teach, which adds teach buttons.
]
