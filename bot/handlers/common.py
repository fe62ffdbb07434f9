"""Helpers every handler shares: the matcher from bot_data, sending a Reply as Telegram HTML."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.matching import Matcher
from bot.replies import Reply, render_html

MATCHER_KEY = "matcher"


def matcher_of(context: ContextTypes.DEFAULT_TYPE) -> Matcher:
    return context.bot_data[MATCHER_KEY]


def is_group(message: Message) -> bool:
    return message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One button per row: labels are whole questions and need the width."""
    if not reply.options:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(option.label, callback_data=option.data)]
            for option in reply.options
        ]
    )


async def send_reply(message: Message, reply: Reply) -> None:
    """Send ``reply`` in answer to ``message``; buttons go under the last part."""
    chunks = render_html(reply)
    for number, chunk in enumerate(chunks, 1):
        markup = keyboard(reply) if number == len(chunks) else None
        await message.reply_html(chunk, reply_markup=markup, do_quote=is_group(message))
