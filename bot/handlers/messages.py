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
    is_group,
    message_of,
    replies_to_bot,
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
        return replies_to_bot(message) or _mentions_bot(message)


def _mentions_bot(message: Message) -> bool:
    mentions = [
        *message.parse_entities([MessageEntity.MENTION]).values(),
        *message.parse_caption_entities([MessageEntity.MENTION]).values(),
    ]
    username = message.get_bot().username.lower()
    return any(m.lstrip("@").lower() == username for m in mentions)


def _reacts(message: Message) -> bool:
    """A group reply to the bot without a mention: a colleague may be reacting to its
    answer ("lol ok"), so a message that asks nothing gets no reply there."""
    return is_group(message) and not _mentions_bot(message)


async def question(update: Update, context: BotContext) -> None:
    """Answer a question; in groups the answer is compact and quotes the asker."""
    message = message_of(update)
    asked = without_mentions(expect(message.text, "text"))
    quiet = _reacts(message)
    await answer_message(
        message, with_replied(message, asked), context, quiet_if_nothing_asked=quiet
    )


async def captioned(update: Update, context: BotContext) -> None:
    """Answer the caption of a photo or file, saying that the picture is not read."""
    message = message_of(update)
    asked = without_mentions(expect(message.caption, "caption"))
    quiet = _reacts(message)
    await answer_message(
        message,
        with_replied(message, asked),
        context,
        lead=CAPTION_NOTE,
        quiet_if_nothing_asked=quiet,
    )


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
