"""Questions as plain messages: any text in private chats; in groups only when addressed."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, Update
from telegram.ext import MessageHandler, filters

from bot.handlers.common import answer_message, expect, message_of, send_reply
from bot.handlers.context import BotContext, Handler
from bot.replies import Reply, text

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


async def question(update: Update, context: BotContext) -> None:
    """Answer a question; in groups the answer is compact and quotes the asker."""
    message = message_of(update)
    asked = _without_mention(expect(message.text, "text"), context.bot.username)
    await answer_message(message, asked, context)


async def not_text(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice and the like in a private chat."""
    await send_reply(message_of(update), Reply(text(NON_TEXT_REPLY)))


NEW_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND

HANDLERS: list[Handler] = [
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
