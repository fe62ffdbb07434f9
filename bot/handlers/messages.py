"""Questions as plain messages: any text in private chats; in groups only when addressed."""

from __future__ import annotations

import dataclasses
import re

from telegram import Message, MessageEntity, Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.handlers.common import chat_kind, is_group, matcher_of, record, send_reply
from bot.replies import Reply, reply_for, text

NON_TEXT_REPLY = "I answer text questions only. Type your question, or use /topics to browse."


class AddressedToBot(filters.MessageFilter):
    """A group message that replies to the bot or mentions its @username."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        mentions = message.parse_entities([MessageEntity.MENTION]).values()
        return any(m.lstrip("@").lower() == bot.username.lower() for m in mentions)


def _without_mention(message_text: str, username: str) -> str:
    return re.sub(rf"@{re.escape(username)}\b", " ", message_text, flags=re.IGNORECASE).strip()


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question; in groups the answer is compact and quotes the asker."""
    message = update.effective_message
    matcher = matcher_of(context)
    asked = _without_mention(message.text, context.bot.username)
    result = matcher.answer(asked)
    row = record(context, chat_kind(message), result)
    reply = reply_for(result, matcher.knowledge, compact=is_group(message))
    await send_reply(message, dataclasses.replace(reply, question_row=row))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice and the like in a private chat."""
    await send_reply(update.effective_message, Reply(text(NON_TEXT_REPLY)))


NEW_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND

HANDLERS: list[BaseHandler] = [
    MessageHandler(NEW_TEXT & filters.ChatType.PRIVATE, question),
    MessageHandler(NEW_TEXT & filters.ChatType.GROUPS & AddressedToBot(), question),
    MessageHandler(
        filters.UpdateType.MESSAGE
        & filters.ChatType.PRIVATE
        & ~filters.TEXT
        & ~filters.StatusUpdate.ALL,
        not_text,
    ),
]
