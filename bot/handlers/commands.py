"""Commands: /start (with deep links), /help, /topics, /ask, and unknown commands."""

from __future__ import annotations

import dataclasses

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.handlers.common import chat_kind, is_group, matcher_of, record, send_reply
from bot.replies import (
    DISCLAIMER,
    Reply,
    entry_reply,
    help_reply,
    reply_for,
    text,
    topics_reply,
)

# Edits of a command must not run it again.
NEW_MESSAGES = filters.UpdateType.MESSAGE

WELCOME = (
    "Hi! I answer questions about trigger point injections: which CPT code to bill"
    " (20552 / 20553), billing rules, symptoms, diagnosis, treatment and related conditions."
    " Just type your question, or use /topics to browse."
)


ASK_USAGE = "Write your question after the command, for example: /ask which code for 3 muscles?"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user, or open the answer a deep link (/start <entry-id>) points to."""
    message = update.effective_message
    knowledge = matcher_of(context).knowledge
    if context.args and (entry := knowledge.entry(context.args[0])) is not None:
        await send_reply(message, entry_reply(entry, knowledge, compact=is_group(message)))
        return
    await send_reply(message, Reply(text(WELCOME, DISCLAIMER)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what to ask and how, with the disclaimer."""
    await send_reply(update.effective_message, help_reply(telegram=True))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer one button per topic."""
    await send_reply(update.effective_message, topics_reply(matcher_of(context).knowledge))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question after /ask; works in private chats and groups."""
    message = update.effective_message
    question = " ".join(context.args or ())
    if not question:
        usage = (
            "Write your question after the command, for example: /ask which code for 3 muscles?"
        )
        await send_reply(message, Reply(text(usage)))
        return
    matcher = matcher_of(context)
    result = matcher.answer(question)
    row = record(context, chat_kind(message), result)
    reply = reply_for(result, matcher.knowledge, compact=is_group(message))
    await send_reply(message, dataclasses.replace(reply, question_row=row))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In private chats, an unknown command gets the help text."""
    await send_reply(update.effective_message, help_reply(telegram=True))


HANDLERS: list[BaseHandler] = [
    CommandHandler("start", start, filters=NEW_MESSAGES),
    CommandHandler("help", help_command, filters=NEW_MESSAGES),
    CommandHandler("topics", topics, filters=NEW_MESSAGES),
    CommandHandler("ask", ask, filters=NEW_MESSAGES),
    MessageHandler(NEW_MESSAGES & filters.ChatType.PRIVATE & filters.COMMAND, unknown_command),
]
