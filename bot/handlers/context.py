"""The typed context handlers receive: shared services on a :class:`BotData`, not string keys.

As in python-telegram-bot's ``contexttypesbot.py`` example, the application is built with
``ContextTypes(bot_data=BotData)``, so ``context.bot_data`` is a ``BotData`` and the type
checker knows what each service is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackContext,
    ContextTypes,
    ExtBot,
)

from bot.config import Settings
from bot.matching import Matcher
from bot.questionlog import QuestionLog, utc_now


class BotData:
    """Long-lived services every handler shares.

    python-telegram-bot creates it without arguments, so ``build_application`` sets
    ``matcher`` and ``settings`` right after building, before any update is handled.
    """

    matcher: Matcher
    settings: Settings

    def __init__(self) -> None:
        self.question_log: QuestionLog | None = None
        # The latest inline query waiting to be logged, by user id (see handlers.inline).
        self.inline_pending: dict[int, object] = {}
        # Chats are served concurrently: two /reload at once would race to replace the matcher.
        self.reload_lock = asyncio.Lock()
        # The first code questions wait for one load of the code set, not a thread each.
        self.code_set_lock = asyncio.Lock()
        # Setting the command menu again while Telegram fails (see app.start_services).
        self.commands_task: asyncio.Task[None] | None = None
        # Where the weekly digest reads "now" from; tests move it forward.
        self.digest_clock: Callable[[], dt.datetime] = utc_now


# ExtBot[Any]: the bot is ExtBot[int] with the AIORateLimiter and ExtBot[None] without.
# The job queue (last parameter) runs the weekly digest (bot.handlers.digest).
BotContext = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]
BotApplication = Application[ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
BotApplicationBuilder = ApplicationBuilder[
    ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
Handler = BaseHandler[Update, BotContext, None]

CONTEXT_TYPES = ContextTypes(bot_data=BotData)
