"""Button presses: ``faq:<id>``, ``topic:<id>``, ``topics`` and
``vote:<id>:<1|0>[:<question log row>]``.

No per-user state is kept, so a button still works after a restart; a stale id gets a
polite answer. Votes go to the question log, keyed by a salted hash of the message.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.handlers.common import is_group, matcher_of, question_log_of, send_reply
from bot.replies import reply_for_data

STALE = "Sorry, that question is no longer available. Use /topics to browse."


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show what the pressed button stands for, as a new message.

    On a message older than 48 hours Telegram no longer lets the bot quote it: the answer
    then goes to the chat as a fresh message.
    """
    query = update.callback_query
    pressed = query.message  # None for buttons on inline messages (none are sent)
    compact = pressed is not None and is_group(pressed)
    reply = reply_for_data(query.data or "", matcher_of(context).knowledge, compact=compact)
    if reply is None:
        await query.answer(STALE, show_alert=True)
        return
    await query.answer()
    if pressed is not None:
        await send_reply(pressed if isinstance(pressed, Message) else pressed.chat, reply)


async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record helpful / not helpful for the answer the buttons sit under."""
    query = update.callback_query
    _, entry_id, helpful, *row = (query.data or "").split(":")
    log = question_log_of(context)
    if log is not None and query.message is not None:  # old (inaccessible) ones too
        message = query.message
        question_id = int(row[0]) if row else None
        log.vote(
            message.chat.id,
            message.message_id,
            entry_id,
            helpful=helpful == "1",
            question_id=question_id,
        )
    await query.answer("Thanks for the feedback!")


HANDLERS: list[BaseHandler] = [
    CallbackQueryHandler(vote, pattern=r"^vote:[a-z0-9_-]+:[01](:[0-9]{1,18})?$"),
    CallbackQueryHandler(button),
]
