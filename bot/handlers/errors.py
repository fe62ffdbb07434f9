"""The error handler: log and carry on. Never logs the token (httpx stays at WARNING)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden

from bot.handlers.context import BotContext

logger = logging.getLogger(__name__)

HARMLESS = ("message is not modified", "query is too old", "query id is invalid")


async def on_error(update: object, context: BotContext) -> None:
    """Log an error with its update id; blocked users and stale buttons are routine."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        logger.info("update %s: user blocked the bot or removed it (%s)", update_id, error)
    elif isinstance(error, BadRequest) and any(h in str(error).lower() for h in HARMLESS):
        logger.debug("update %s: harmless %s", update_id, error)
    else:
        logger.error("update %s failed", update_id, exc_info=error)
