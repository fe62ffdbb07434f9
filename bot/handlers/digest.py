"""The weekly digest: each admin who has started the bot gets the week's report.

Scheduled with python-telegram-bot's JobQueue (``DIGEST_SCHEDULE``, default Monday 09:00,
in ``TZ``; off when empty): questions by status, the most asked answers, the unanswered
groups with their teach buttons (``bot.handlers.teach``) and the entries due for review.
An admin who never started a chat with the bot cannot be messaged: Telegram refuses, and
that is logged, not retried.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from telegram import Chat
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import Job

from bot.digest import DIGEST_DAYS
from bot.handlers.common import matcher_of, send_reply, settings_of
from bot.handlers.context import BotApplication, BotContext
from bot.handlers.teach import group_reply, reader_of, report_groups
from bot.replies import Reply, text
from bot.reports import stale_lines, stats_lines
from bot.teach import knowledge_digest
from bot.text import counted

logger = logging.getLogger(__name__)

JOB_NAME = "weekly-digest"


def schedule_digest(application: BotApplication) -> Job[Any] | None:
    """Put the digest on the job queue, if a schedule is configured."""
    schedule = application.bot_data.settings.digest
    if schedule is None or application.job_queue is None:
        return None
    return application.job_queue.run_daily(
        send_digest, time=schedule.time, days=schedule.ptb_days(), name=JOB_NAME
    )


async def send_digest(context: BotContext) -> None:
    """Send the last week's report to every admin; returns quietly without admins."""
    admins = sorted(settings_of(context).admin_user_ids)
    if not admins:
        return
    now = context.bot_data.digest_clock()
    since = now - dt.timedelta(days=DIGEST_DAYS)
    summary, groups = await asyncio.to_thread(_read, context, since, now.date())
    sent = 0
    for admin_id in admins:
        chat = Chat(admin_id, ChatType.PRIVATE)
        chat.set_bot(context.bot)
        try:
            await send_reply(chat, summary)
            for group in groups:
                await send_reply(chat, group)
        except (Forbidden, BadRequest) as error:  # never started the bot, or blocked it
            logger.info("weekly digest: cannot message an admin (%s)", error)
        else:
            sent += 1
    logger.info("weekly digest sent to %d of %d admins", sent, len(admins))


def _read(context: BotContext, since: dt.datetime, today: dt.date) -> tuple[Reply, list[Reply]]:
    """The summary message and one message per unanswered group (worker thread: disk)."""
    matcher = matcher_of(context)
    reader = reader_of(context)
    title = f"Weekly digest: {since:%Y-%m-%d} to {today:%Y-%m-%d}"
    stale = "\n".join(stale_lines(matcher.knowledge, today))
    if reader is None:
        return Reply(text(title, "No questions have been recorded yet.", stale)), []
    stats = "\n".join(stats_lines(reader.stats(since)))
    found = report_groups(matcher, reader, since)
    fp = knowledge_digest(settings_of(context).knowledge_dir)
    heading = (
        f"Unanswered questions: {counted(len(found), 'group')}; teach them with the buttons below."
        if found
        else "Unanswered questions: none."
    )
    groups = [group_reply(matcher, group, fp) for group in found]
    return Reply(text(title, stats, heading, stale)), groups
