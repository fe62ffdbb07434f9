"""Teaching from Telegram: /unanswered with buttons, and re-routing "not helpful" answers.

Admins (``ADMIN_USER_IDS``, private chats) get one message per group of similar unanswered
questions, with buttons: the matcher's top entries ("Add to: <question>"), "Other entry…"
(browse the topics) and "Ignore". An entry asks for confirmation, then the wording is taught
with :func:`bot.teach.teach` and the live knowledge is replaced, as /reload does.

Callback data stays under Telegram's 64 bytes and carries no question text: the question
log row id names the wording, and an 8-character fingerprint of the knowledge files at
report time refuses a change to files edited since. A stale or forged button changes
nothing: every press checks the admin, the row, the entry and the fingerprint again.

``tc:a:<row>:<entry>:<fp>`` asks for confirmation, ``tc:y:...`` (same fields) teaches,
``tc:o:<row>:<fp>`` lists the topics, ``tc:t:<row>:<topic>:<fp>`` a topic's entries,
``tc:i:<row>`` ignores the group, ``tc:n`` cancels.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from dataclasses import dataclass

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.handlers import admin
from bot.handlers.common import (
    MATCHER_KEY,
    matcher_of,
    question_log_of,
    send_reply,
    settings_of,
)
from bot.knowledge import compare
from bot.matching import Matcher
from bot.questionlog import QuestionLog
from bot.replies import Option, Reply, text
from bot.teach import TeachError, knowledge_digest, suggestions, teach
from bot.teach_cli import backup_dir, still_unanswered

logger = logging.getLogger(__name__)

PREFIX = "tc"
MAX_CALLBACK_BYTES = 64
LABEL_CHARS = 60
REPORT_GROUPS = 10
NOT_HELPFUL_SHOWN = 5
GONE = "That question is no longer in the log; nothing was changed."
# The fields each action carries, after ``tc:<action>``.
_FIELDS = {"a": "rif", "y": "rif", "t": "rif", "o": "rf", "i": "r", "n": ""}
_FIELD = {
    "r": re.compile(r"\d{1,18}"),
    "i": re.compile(r"[a-z0-9][a-z0-9_-]{0,47}"),
    "f": re.compile(r"[0-9a-f]{8}"),
}


@dataclass(frozen=True)
class Pressed:
    """A decoded teach button."""

    action: str
    row: int | None
    target: str | None
    fingerprint: str | None


def encode(action: str, *fields: object) -> str | None:
    """Callback data for a teach button; None if it would exceed Telegram's 64 bytes."""
    data = ":".join([PREFIX, action, *map(str, fields)])
    return data if len(data.encode()) <= MAX_CALLBACK_BYTES else None


def decode(data: str) -> Pressed | None:
    """The button's fields, or None for data no teach button carries."""
    prefix, _, rest = data.partition(":")
    action, *fields = rest.split(":")
    kinds = _FIELDS.get(action)
    if prefix != PREFIX or kinds is None or len(fields) != len(kinds):
        return None
    if not all(_FIELD[kind].fullmatch(value) for kind, value in zip(kinds, fields, strict=True)):
        return None
    named = dict(zip(kinds, fields, strict=True))
    row = named.get("r")
    return Pressed(action, int(row) if row else None, named.get("i"), named.get("f"))


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
        *((_label("Add to: ", q), encode("a", row, entry_id, fp)) for entry_id, q, _ in offered),
        ("Other entry…", encode("o", row, fp)),
    )


# --- commands --------------------------------------------------------------------------


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered [days | YYYY-MM-DD]: each group of unanswered questions with buttons."""
    if not await admin._is_admin(update, context):
        return
    since = await admin._since(update, context, default_days=30)
    log = question_log_of(context)
    message = update.effective_message
    if since is None:
        return
    if log is None or not log.exists():
        await send_reply(message, Reply(text(admin.NO_LOG)))
        return
    matcher = matcher_of(context)
    directory = settings_of(context).knowledge_dir

    def read() -> tuple[list, str]:
        groups = still_unanswered(matcher, log.unanswered(since, top=REPORT_GROUPS * 3))
        return groups[:REPORT_GROUPS], knowledge_digest(directory)

    groups, fp = await asyncio.to_thread(read)
    head = f"Unanswered or unclear questions since {since:%Y-%m-%d}: {len(groups)} group(s)."
    hint = "Teach a wording to an entry with the buttons under it." if groups else "(none)"
    await send_reply(message, Reply(text(head, hint)))
    for group in groups:
        await send_reply(
            message,
            group_reply(matcher, group.question, group.count, group.wordings, group.row_id, fp),
        )


def group_reply(
    matcher: Matcher, question: str, count: int, wordings: int, row: int, fp: str
) -> Reply:
    options = (*entry_options(matcher, question, row, fp), *_options(("Ignore", encode("i", row))))
    return Reply(text(f"{count} × {question!r} ({wordings} wordings)"), options=options)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats, then the questions whose answer was voted not helpful, to re-route."""
    await admin.stats(update, context)
    log = question_log_of(context)
    user = update.effective_user
    if log is None or not log.exists() or user is None:
        return
    if user.id not in settings_of(context).admin_user_ids:
        return
    try:
        since = admin.parse_since(
            context.args[0] if context.args else None, dt.datetime.now(dt.UTC).date(), 7
        )
    except ValueError:
        return  # admin.stats already showed the usage
    rated = await asyncio.to_thread(log.not_helpful, since, NOT_HELPFUL_SHOWN)
    if not rated:
        return
    matcher = matcher_of(context)
    fp = await asyncio.to_thread(knowledge_digest, settings_of(context).knowledge_dir)
    message = update.effective_message
    await send_reply(message, Reply(text("Answers voted not helpful, to re-route:")))
    for item in rated:
        options = entry_options(matcher, item.question, item.row_id, fp, skip=item.entry_id)
        said = f"{item.question!r} was answered with '{item.entry_id}'"
        await send_reply(message, Reply(text(said), options=options))


# --- buttons ---------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    pressed = decode(query.data or "")
    chat_message = query.message
    allowed = (
        query.from_user.id in settings_of(context).admin_user_ids
        and isinstance(chat_message, Message)
        and chat_message.chat.type == "private"
    )
    if not allowed:
        await query.answer(admin.NOT_ALLOWED, show_alert=True)
        return
    if pressed is None:
        await query.answer("That button is not valid; nothing was changed.", show_alert=True)
        return
    await query.answer()
    reply = await _handle(pressed, context)
    await send_reply(chat_message, reply)


async def _handle(pressed: Pressed, context: ContextTypes.DEFAULT_TYPE) -> Reply:
    if pressed.action == "n":
        return Reply(text("Cancelled; nothing was changed."))
    log = question_log_of(context)
    question = await asyncio.to_thread(_question, log, pressed.row)
    if question is None:
        return Reply(text(GONE))
    knowledge = matcher_of(context).knowledge
    row, fp = pressed.row, pressed.fingerprint
    if pressed.action == "i":
        await asyncio.to_thread(log.ignore, question)
        return Reply(
            text(f"Ignored {question!r}: it and wordings like it are left out of later reports.")
        )
    if pressed.action == "o" and fp:
        options = _options(*((t.title, encode("t", row, t.id, fp)) for t in knowledge.topics))
        return Reply(text(f"Which topic is {question!r} about?"), options=options)
    if pressed.action == "t" and fp and (topic := knowledge.topic(pressed.target or "")):
        options = _options(
            *(
                (_label("Add to: ", e.question), encode("a", row, e.id, fp))
                for e in knowledge.entries_in(topic.id)
            )
        )
        return Reply(text(f"{topic.title}: add {question!r} to which entry?"), options=options)
    entry = knowledge.entry(pressed.target or "")
    if pressed.action == "a" and entry is not None and fp:
        confirm = f"Add the wording {question!r} to the entry {entry.question!r} ({entry.id})?"
        options = _options(
            ("✅ Yes, add it", encode("y", row, entry.id, fp)), ("Cancel", encode("n"))
        )
        return Reply(text(confirm), options=options)
    if pressed.action == "y" and pressed.target and fp:
        return await _teach(context, question, pressed.target, fp)
    return Reply(text("That button is no longer valid; nothing was changed."))


def _question(log: QuestionLog | None, row: int | None) -> str | None:
    if log is None or row is None or not log.exists():
        return None
    return log.question(row)


async def _teach(
    context: ContextTypes.DEFAULT_TYPE, question: str, entry_id: str, fp: str
) -> Reply:
    """Teach, then serve the new knowledge; under /reload's lock (one change at a time)."""
    settings = settings_of(context)
    lock: asyncio.Lock = context.bot_data.setdefault(admin.RELOAD_LOCK_KEY, asyncio.Lock())
    async with lock:
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
        context.bot_data[MATCHER_KEY] = matcher
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


HANDLERS: list[BaseHandler] = [
    CommandHandler("unanswered", unanswered, filters=admin.PRIVATE),
    CommandHandler("stats", stats, filters=admin.PRIVATE),
    CallbackQueryHandler(button, pattern=r"^tc:"),
]
