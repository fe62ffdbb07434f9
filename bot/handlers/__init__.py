"""Telegram handlers: the one place that lists them all, in the order they are tried.

Each module (admin, teach, commands, messages, callbacks, inline) exposes ``HANDLERS``. Order
matters, as the first matching handler wins: admin commands before the catch-all for
unknown commands, and commands before messages because ``filters.TEXT`` matches them too.
"""

from __future__ import annotations

from bot.handlers import admin, callbacks, commands, inline, messages, teach
from bot.handlers.context import BotApplication
from bot.handlers.errors import on_error


def register(application: BotApplication) -> None:
    for module in (admin, teach, commands, messages, callbacks, inline):
        application.add_handlers(module.HANDLERS)
    application.add_error_handler(on_error)
