"""Questions as plain messages: any text in private chats; in groups only when addressed.

A photo or file sent with a caption is asked by its caption ("what code is this?" under
a screenshot): the bot cannot see the picture, so it says so and answers the words.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.ext import MessageHandler, filters

from bot.handlers.common import (
    answer_message,
    expect,
    message_of,
    send_reply,
    with_replied,
    without_mentions,
)
from bot.handlers.context import BotContext, Handler
from bot.replies import Reply, text

NON_TEXT_REPLY = "I answer text questions only. Type your question, or use /topics to browse."
CAPTION_NOTE = "I can't see pictures or files; this answers the words sent with it."


class AddressedToBot(filters.MessageFilter):
    """A group message that replies to the bot or mentions its @username."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        mentions = [
            *message.parse_entities([MessageEntity.MENTION]).values(),
            *message.parse_caption_entities([MessageEntity.MENTION]).values(),
        ]
        return any(m.lstrip("@").lower() == bot.username.lower() for m in mentions)


async def question(update: Update, context: BotContext) -> None:
    """Answer a question; in groups the answer is compact and quotes the asker."""
    message = message_of(update)
    asked = without_mentions(expect(message.text, "text"))
    await answer_message(message, with_replied(message, asked), context)


async def captioned(update: Update, context: BotContext) -> None:
    """Answer the caption of a photo or file, saying that the picture is not read."""
    message = message_of(update)
    asked = without_mentions(expect(message.caption, "caption"))
    await answer_message(message, with_replied(message, asked), context, lead=CAPTION_NOTE)


async def not_text(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice and the like in a private chat."""
    await send_reply(message_of(update), Reply(text(NON_TEXT_REPLY)))


NEW_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
NEW_CAPTION = filters.UpdateType.MESSAGE & filters.CAPTION

HANDLERS: list[Handler] = [
    MessageHandler(NEW_TEXT & filters.ChatType.PRIVATE, question),
    MessageHandler(NEW_TEXT & filters.ChatType.GROUPS & AddressedToBot(), question),
    MessageHandler(NEW_CAPTION & filters.ChatType.PRIVATE, captioned),
    MessageHandler(NEW_CAPTION & filters.ChatType.GROUPS & AddressedToBot(), captioned),
    MessageHandler(
        filters.UpdateType.MESSAGE
        & filters.ChatType.PRIVATE
        & ~filters.TEXT
        & ~filters.CAPTION
        & ~filters.StatusUpdate.ALL,
        not_text,
    ),
]
