"""Button presses: ``faq:<id>``, ``topic:<id>``, ``topics`` and
``vote:<id>:<1|0>[:<question log row>]`` (teach buttons: ``bot.handlers.teach``).

No per-user state is kept, so a button still works after a restart; a stale id gets a
polite answer. Votes go to the question log, keyed by a salted hash of the message.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot import callbackdata
from bot.handlers.common import expect, is_group, matcher_of, question_log_of, send_reply
from bot.handlers.context import BotContext, Handler
from bot.replies import reply_for_data

STALE = "Sorry, that question is no longer available. Use /topics to browse."
STALE_VOTE = "Sorry, that answer is no longer available, so the vote was not counted."


async def button(update: Update, context: BotContext) -> None:
    """Show what the pressed button stands for, as a new message.

    On a message older than 48 hours Telegram no longer lets the bot quote it: the answer
    then goes to the chat as a fresh message.
    """
    query = expect(update.callback_query, "callback query")
    pressed = query.message  # None for buttons on inline messages (none are sent)
    compact = pressed is not None and is_group(pressed)
    reply = reply_for_data(query.data or "", matcher_of(context).knowledge, compact=compact)
    if reply is None:
        await query.answer(STALE, show_alert=True)
        return
    await query.answer()
    if pressed is not None:
        await send_reply(pressed if isinstance(pressed, Message) else pressed.chat, reply)


async def vote(update: Update, context: BotContext) -> None:
    """Record helpful / not helpful for the answer the buttons sit under."""
    query = expect(update.callback_query, "callback query")
    button = expect(callbackdata.parse(query.data or ""), "vote")  # VOTE_PATTERN matched
    if matcher_of(context).knowledge.entry(button.key) is None:  # removed, or forged
        await query.answer(STALE_VOTE)
        return
    log = question_log_of(context)
    if log is not None and query.message is not None:  # old (inaccessible) ones too
        message = query.message
        log.vote(
            message.chat.id,
            message.message_id,
            button.key,
            helpful=button.helpful,
            question_id=button.row,
        )
    await query.answer("Thanks for the feedback!")


HANDLERS: list[Handler] = [
    CallbackQueryHandler(vote, pattern=callbackdata.VOTE_PATTERN),
    CallbackQueryHandler(button),
]
