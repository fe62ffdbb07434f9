"""Commands: /start (with deep links), /help, /topics, /ask, and unknown commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.handlers.common import (
    answer_message,
    is_group,
    matcher_of,
    message_of,
    send_reply,
    with_replied,
    without_mentions,
)
from bot.handlers.context import BotContext, Handler
from bot.handlers.inline import INLINE_START
from bot.replies import (
    DISCLAIMER,
    GROUP_USAGE,
    Reply,
    entry_reply,
    help_reply,
    text,
    topics_reply,
)

# Edits of a command must not run it again.
NEW_MESSAGES = filters.UpdateType.MESSAGE

WELCOME = (
    "Hi! I answer questions about trigger point injections: which CPT code to bill"
    " (20552 / 20553), billing rules, symptoms, diagnosis, treatment and related conditions."
)
PRIVATE_USAGE = "Just type your question, or use /topics to browse."
LINK_GONE = "The answer that link pointed to is no longer available."


ASK_USAGE = (
    "Write your question after the command, for example: /ask which code for 3 muscles?"
    " Or reply /ask to a message that asks it."
)


async def start(update: Update, context: BotContext) -> None:
    """Welcome the user, or open the answer a deep link (/start <entry-id>) points to."""
    message = message_of(update)
    knowledge = matcher_of(context).knowledge
    linked = context.args[0] if context.args else None
    if linked is not None and (entry := knowledge.entry(linked)) is not None:
        # Inline mode's "full answer" link: the answer in full, as inline mode shows it.
        full = entry_reply(entry, knowledge, compact=is_group(message), in_full=True)
        await send_reply(message, full)
        return
    usage = GROUP_USAGE if is_group(message) else PRIVATE_USAGE
    # A link to an answer since removed ("inline" opens the private chat on purpose).
    gone = linked is not None and linked != INLINE_START
    welcome = f"{LINK_GONE} {WELCOME}" if gone else WELCOME
    await send_reply(message, Reply(text(f"{welcome} {usage}", DISCLAIMER)))


async def help_command(update: Update, context: BotContext) -> None:
    """Explain what to ask and how, with the disclaimer."""
    await send_reply(message_of(update), help_reply(context.bot.username))


async def topics(update: Update, context: BotContext) -> None:
    """Offer one button per topic."""
    await send_reply(message_of(update), topics_reply(matcher_of(context).knowledge))


async def ask(update: Update, context: BotContext) -> None:
    """Answer the question after /ask, or, bare, the message it replies to; works in
    private chats and groups."""
    message = message_of(update)
    question = with_replied(message, without_mentions(" ".join(context.args or ())))
    if not question:
        await send_reply(message, Reply(text(ASK_USAGE)))
        return
    await answer_message(message, question, context)


async def unknown_command(update: Update, context: BotContext) -> None:
    """In private chats, an unknown command gets the help text."""
    await send_reply(message_of(update), help_reply(context.bot.username))


HANDLERS: list[Handler] = [
    CommandHandler("start", start, filters=NEW_MESSAGES),
    CommandHandler("help", help_command, filters=NEW_MESSAGES),
    CommandHandler("topics", topics, filters=NEW_MESSAGES),
    CommandHandler("ask", ask, filters=NEW_MESSAGES),
    MessageHandler(NEW_MESSAGES & filters.ChatType.PRIVATE & filters.COMMAND, unknown_command),
]
