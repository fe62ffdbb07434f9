"""Helpers every handler shares: services from bot_data, sending a Reply as Telegram HTML."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from typing import TypeVar

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError

from bot import icd10
from bot.answering import answer
from bot.callbackdata import vote_data
from bot.config import Settings
from bot.handlers.context import BotContext
from bot.matching import Matcher, Result
from bot.questionlog import QuestionLog
from bot.replies import Reply, asks_nothing, render_html, text

T = TypeVar("T")

logger = logging.getLogger(__name__)


def expect(value: T | None, what: str) -> T:
    """Narrow an optional part of an update that this handler's filter guarantees.

    ``Update.effective_message``, ``callback_query`` and ``inline_query`` are optional in
    general, but present in every update the handler is registered for.
    """
    if value is None:
        raise TypeError(f"the update has no {what}")
    return value


def message_of(update: Update) -> Message:
    """The message of an update from a message or command handler."""
    return expect(update.effective_message, "message")


def matcher_of(context: BotContext) -> Matcher:
    return context.bot_data.matcher


async def serve_matcher(context: BotContext, matcher: Matcher) -> None:
    """Answer with ``matcher`` from now on, once prepared (``Matcher.prepare``, in a worker
    thread: the matcher it replaces answers meanwhile)."""
    try:
        await asyncio.to_thread(matcher.prepare)
    except Exception as error:  # preparing only saves time later: serve the matcher anyway
        logger.warning("could not prepare the new matcher (%s); it is served as it is", error)
    context.bot_data.matcher = matcher


def settings_of(context: BotContext) -> Settings:
    return context.bot_data.settings


def question_log_of(context: BotContext) -> QuestionLog | None:
    return context.bot_data.question_log


def record(context: BotContext, chat_type: str, result: Result) -> int | None:
    """Put a handled question on the log (a queue: this never waits for the disk); returns
    its row id, or None without a log."""
    log = question_log_of(context)
    return log.record(chat_type, result) if log is not None else None


async def load_code_set_for(
    context: BotContext, question: str, asked_in: Message | None = None
) -> None:
    """Load the ICD-10-CM code set in a worker thread when ``question`` is the first to need
    it. Parsing it takes seconds; on the event loop every chat would wait for it. Most of
    the parse is Python, so the loop gets its turns meanwhile (the XML parser's one C call,
    under a second, holds it). The chat ``asked_in`` sees "typing..." meanwhile."""
    if not matcher_of(context).needs_code_set(question):
        return
    if asked_in is not None:
        try:
            await asked_in.reply_chat_action(ChatAction.TYPING)
        except TelegramError as error:  # only a courtesy: the answer still comes
            logger.warning("could not show 'typing' while the code set loads: %s", error)
    async with context.bot_data.code_set_lock:  # one load; other askers wait for it here
        if icd10.is_loaded():
            return
        # A release that does not load is remembered (bot/icd10.py); the question is then
        # answered from the knowledge.
        with contextlib.suppress(icd10.CodeSetError):
            await asyncio.to_thread(icd10.code_set)


async def answer_message(
    message: Message,
    question: str,
    context: BotContext,
    *,
    lead: str | None = None,
    quiet_if_nothing_asked: bool = False,
) -> None:
    """Answer ``question``, asked in ``message``: log it, then reply (compact in groups),
    after ``lead`` if given; with ``quiet_if_nothing_asked``, a message that asks nothing
    ("lol ok" in reply to the bot in a group) gets no reply and is not logged."""
    await load_code_set_for(context, question, message)
    # After the wait: a /reload meanwhile has put in the matcher that answers now.
    answered = answer(matcher_of(context), question, compact=is_group(message))
    if quiet_if_nothing_asked and asks_nothing(answered.result):
        return
    row = record(context, chat_kind(message), answered.result)
    reply = answered.reply
    paragraphs = (*text(lead), *reply.paragraphs) if lead else reply.paragraphs
    await send_reply(message, dataclasses.replace(reply, paragraphs=paragraphs, question_row=row))


# An @username: the bot's own in a group, or a colleague's ("@alice_rn which code?").
MENTION = re.compile(r"(?<![\w@])@\w{3,32}\b")


def without_mentions(text: str) -> str:
    """``text`` without @usernames, which say whom it is for, not what it asks."""
    return MENTION.sub(" ", text).strip()


def with_replied(message: Message, asked: str) -> str:
    """What ``message`` asks: ``asked``, after the words of a colleague's message it replies
    to ("@bot is this right?" under "we bill 20552 twice for bilateral traps"), or those
    words alone for a bare "/ask" or mention. A reply to the bot itself adds nothing."""
    replied = message.reply_to_message
    if replied is None or replies_to_bot(message):
        return asked
    before = without_mentions(replied.text or replied.caption or "")
    return f"{before}\n{asked}".strip()


def replies_to_bot(message: Message) -> bool:
    """Whether ``message`` replies to one of the bot's own messages."""
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)


def is_group(message: MaybeInaccessibleMessage) -> bool:
    return message.chat.type in GROUP_TYPES


def chat_kind(message: Message) -> str:
    return "group" if is_group(message) else "private"


def keyboard(reply: Reply, *, feedback: bool) -> InlineKeyboardMarkup | None:
    """One button per row (labels are whole questions), then the feedback pair."""
    rows = [[InlineKeyboardButton(o.label, callback_data=o.data)] for o in reply.options]
    if feedback and reply.rated_entry:
        entry_id, row = reply.rated_entry, reply.question_row
        rows.append(
            [
                InlineKeyboardButton(
                    "👍 Helpful", callback_data=vote_data(entry_id, helpful=True, question_row=row)
                ),
                InlineKeyboardButton(
                    "👎 Not helpful",
                    callback_data=vote_data(entry_id, helpful=False, question_row=row),
                ),
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


async def send_reply(target: Message | Chat, reply: Reply) -> None:
    """Send ``reply`` in answer to a message, or as a fresh message to a chat.

    Buttons go under the last part. Answers in private chats carry feedback buttons;
    groups stay compact and quote the asker.
    """
    chat = target.chat if isinstance(target, Message) else target
    group = chat.type in GROUP_TYPES
    chunks = render_html(reply)
    for number, chunk in enumerate(chunks, 1):
        markup = keyboard(reply, feedback=not group) if number == len(chunks) else None
        if isinstance(target, Message):
            await target.reply_html(chunk, reply_markup=markup, do_quote=group)
        else:
            await target.send_message(chunk, reply_markup=markup)
