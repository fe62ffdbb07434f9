"""Helpers every handler shares: services from bot_data, sending a Reply as Telegram HTML."""

from __future__ import annotations

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
)
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.matching import Matcher, Result
from bot.questionlog import QuestionLog
from bot.replies import Reply, render_html, vote_data

MATCHER_KEY = "matcher"
LOG_KEY = "question_log"
SETTINGS_KEY = "settings"


def matcher_of(context: ContextTypes.DEFAULT_TYPE) -> Matcher:
    return context.bot_data[MATCHER_KEY]


def settings_of(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return context.bot_data[SETTINGS_KEY]


def question_log_of(context: ContextTypes.DEFAULT_TYPE) -> QuestionLog | None:
    return context.bot_data.get(LOG_KEY)


def record(context: ContextTypes.DEFAULT_TYPE, chat_type: str, result: Result) -> int | None:
    """Put a handled question on the log (a queue: this never waits for the disk); returns
    its row id, or None without a log."""
    log = question_log_of(context)
    return log.record(chat_type, result) if log is not None else None


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
