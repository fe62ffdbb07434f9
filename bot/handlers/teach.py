"""Teaching from Telegram: /unanswered with buttons, and re-routing "not helpful" answers.

Admins (``ADMIN_USER_IDS``, private chats) get one message per group of similar unanswered
questions, with buttons: the matcher's top entries ("Add to: <question>"), "Other entry…"
(browse the topics) and "Ignore". An entry asks for confirmation, then the wording is taught
with :func:`bot.teach.teach` and the live knowledge is replaced, as /reload does.

The buttons' data (``tc:...``, see :mod:`bot.callbackdata`) stays under Telegram's 64 bytes
and carries no question text: the question log row id names the wording, and a fingerprint
of the knowledge files at report time refuses a change to files edited since. A stale or
forged button changes nothing: every press checks the admin, the row, the entry and the
fingerprint again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbackdata import TEACH_PATTERN, TeachButton, parse_teach, teach_data
from bot.handlers import admin
from bot.handlers.common import (
    expect,
    matcher_of,
    message_of,
    question_log_of,
    send_reply,
    serve_matcher,
    settings_of,
)
from bot.handlers.context import BotContext, Handler
from bot.knowledge import compare
from bot.logreader import LogReader, UnansweredGroup
from bot.matching import Matcher
from bot.replies import Option, Reply, text
from bot.reports import parse_since
from bot.teach import TeachError, knowledge_digest, suggestions, teach
from bot.teach_cli import backup_dir, still_unanswered
from bot.text import counted

logger = logging.getLogger(__name__)

LABEL_CHARS = 60
REPORT_GROUPS = 10
NOT_HELPFUL_SHOWN = 5
GONE = "That question is no longer in the log; nothing was changed."


def _label(prefix: str, question: str) -> str:
    label = f"{prefix}{question}"
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _options(*pairs: tuple[str, str | None]) -> tuple[Option, ...]:
    return tuple(Option(label, data) for label, data in pairs if data is not None)


def entry_options(
    matcher: Matcher, question: str, row: int, fp: str, *, skip: str = ""
) -> tuple[Option, ...]:
    """The "Add to" buttons for the matcher's candidates, then "Other entry…"."""
    offered = [s for s in suggestions(matcher, question) if s[0] != skip]
    return _options(
        *((_label("Add to: ", q), teach_data("a", row, e, fp)) for e, q, _ in offered),
        ("Other entry…", teach_data("o", row, fp)),
    )


def reader_of(context: BotContext) -> LogReader | None:
    """A reader of the bot's question log, None without a log or before its first row."""
    log = question_log_of(context)
    reader = LogReader(log.path) if log is not None else None
    return reader if reader is not None and reader.exists() else None


def report_groups(
    matcher: Matcher, reader: LogReader, since: dt.datetime
) -> list[UnansweredGroup]:
    """The unanswered groups the current knowledge still does not answer (worker thread)."""
    groups = still_unanswered(matcher, reader.unanswered(since, top=REPORT_GROUPS * 3))
    return groups[:REPORT_GROUPS]


# --- commands --------------------------------------------------------------------------


async def unanswered(update: Update, context: BotContext) -> None:
    """/unanswered [days | YYYY-MM-DD]: each group of unanswered questions with buttons."""
    if not await admin._is_admin(update, context):
        return
    since = await admin._since(update, context, default_days=30)
    message = message_of(update)
    if since is None:
        return
    reader = reader_of(context)
    if reader is None:
        await send_reply(message, Reply(text(admin.NO_LOG)))
        return
    matcher = matcher_of(context)
    directory = settings_of(context).knowledge_dir

    def read() -> tuple[list[UnansweredGroup], str]:
        return report_groups(matcher, reader, since), knowledge_digest(directory)

    groups, fp = await asyncio.to_thread(read)
    found = counted(len(groups), "group")
    head = f"Unanswered or unclear questions since {since:%Y-%m-%d}: {found}."
    hint = "Teach a wording to an entry with the buttons under it." if groups else "(none)"
    await send_reply(message, Reply(text(head, hint)))
    for group in groups:
        await send_reply(message, group_reply(matcher, group, fp))


def group_reply(matcher: Matcher, group: UnansweredGroup, fp: str) -> Reply:
    row = group.row_id
    options = (
        *entry_options(matcher, group.question, row, fp),
        *_options(("Ignore", teach_data("i", row))),
    )
    said = group.summary()
    return Reply(text(said), options=options)


async def stats(update: Update, context: BotContext) -> None:
    """/stats, then the questions whose answer was voted not helpful, to re-route."""
    await admin.stats(update, context)
    reader = reader_of(context)
    user = update.effective_user
    if reader is None or user is None or user.id not in settings_of(context).admin_user_ids:
        return
    try:
        since = parse_since(
            context.args[0] if context.args else None, dt.datetime.now(dt.UTC).date(), 7
        )
    except ValueError:
        return  # admin.stats already showed the usage
    rated = await asyncio.to_thread(reader.not_helpful, since, NOT_HELPFUL_SHOWN)
    if not rated:
        return
    matcher = matcher_of(context)
    fp = await asyncio.to_thread(knowledge_digest, settings_of(context).knowledge_dir)
    message = message_of(update)
    await send_reply(message, Reply(text("Answers voted not helpful, to re-route:")))
    for item in rated:
        options = entry_options(matcher, item.question, item.row_id, fp, skip=item.entry_id)
        said = f"{item.question!r} was answered with '{item.entry_id}'"
        await send_reply(message, Reply(text(said), options=options))


# --- buttons ---------------------------------------------------------------------------


async def button(update: Update, context: BotContext) -> None:
    query = expect(update.callback_query, "callback query")
    pressed = parse_teach(query.data or "")
    chat_message = query.message
    if not (
        query.from_user.id in settings_of(context).admin_user_ids
        and isinstance(chat_message, Message)
        and chat_message.chat.type == ChatType.PRIVATE
    ):
        await query.answer(admin.NOT_ALLOWED, show_alert=True)
        return
    if pressed is None:
        await query.answer("That button is not valid; nothing was changed.", show_alert=True)
        return
    await query.answer()
    await send_reply(chat_message, await _handle(pressed, context))


async def _handle(pressed: TeachButton, context: BotContext) -> Reply:
    if pressed.action == "n":
        return Reply(text("Cancelled; nothing was changed."))
    log = question_log_of(context)
    question = await asyncio.to_thread(_question, reader_of(context), pressed.row)
    if log is None or question is None:
        return Reply(text(GONE))
    knowledge = matcher_of(context).knowledge
    row, fp = pressed.row, pressed.fingerprint
    if pressed.action == "i":
        await asyncio.to_thread(log.ignore, question)
        return Reply(
            text(f"Ignored {question!r}: it and wordings like it are left out of later reports.")
        )
    if pressed.action == "o" and fp:
        options = _options(*((t.title, teach_data("t", row, t.id, fp)) for t in knowledge.topics))
        return Reply(text(f"Which topic is {question!r} about?"), options=options)
    if pressed.action == "t" and fp and (topic := knowledge.topic(pressed.target or "")):
        options = _options(
            *(
                (_label("Add to: ", e.question), teach_data("a", row, e.id, fp))
                for e in knowledge.entries_in(topic.id)
            )
        )
        return Reply(text(f"{topic.title}: add {question!r} to which entry?"), options=options)
    entry = knowledge.entry(pressed.target or "")
    if pressed.action == "a" and entry is not None and fp:
        confirm = f"Add the wording {question!r} to the entry {entry.question!r} ({entry.id})?"
        options = _options(
            ("✅ Yes, add it", teach_data("y", row, entry.id, fp)), ("Cancel", teach_data("n"))
        )
        return Reply(text(confirm), options=options)
    if pressed.action == "y" and pressed.target and fp:
        return await _teach(context, question, pressed.target, fp)
    return Reply(text("That button is no longer valid; nothing was changed."))


def _question(reader: LogReader | None, row: int | None) -> str | None:
    if reader is None or row is None:
        return None
    return reader.question(row)


async def _teach(context: BotContext, question: str, entry_id: str, fp: str) -> Reply:
    """Teach, then serve the new knowledge; under /reload's lock (one change at a time)."""
    settings = settings_of(context)
    async with context.bot_data.reload_lock:
        old = matcher_of(context)
        try:
            taught = await asyncio.to_thread(
                teach,
                settings.knowledge_dir,
                entry_id,
                question,
                thresholds=old.thresholds,
                backup_dir=backup_dir(settings),
                expected_digest=fp,
            )
        except TeachError as error:
            return Reply(text("Not taught.", str(error)))
        except OSError as error:
            return Reply(text("Not taught.", f"Cannot write the knowledge file: {error}"))
        matcher = await asyncio.to_thread(Matcher, taught.knowledge, old.thresholds)
        await serve_matcher(context, matcher)
    changes = compare(old.knowledge, taught.knowledge)
    logger.info("taught a wording to %s; knowledge reloaded: %s", entry_id, changes)
    entry = taught.knowledge.entry(entry_id)
    name = entry.question if entry else entry_id
    return Reply(
        text(
            f"Added {question!r} to {name!r} ({entry_id})"
            f" in {taught.path.name}, line {taught.line}.",
            f"Reloaded the knowledge: {changes}. Asked now, it gets that answer.",
        )
    )


HANDLERS: list[Handler] = [
    CommandHandler("unanswered", unanswered, filters=admin.PRIVATE),
    CommandHandler("stats", stats, filters=admin.PRIVATE),
    CallbackQueryHandler(button, pattern=TEACH_PATTERN),
]
