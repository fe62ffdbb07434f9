"""Telegram handlers: the one place that lists them all, in the order they are tried.

Each module (commands, messages, callbacks, inline) exposes ``HANDLERS``; commands come
first because ``filters.TEXT`` would also match them.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import callbacks, commands, inline, messages
from bot.handlers.errors import on_error


def register(application: Application) -> None:
    for module in (commands, messages, callbacks, inline):
        application.add_handlers(module.HANDLERS)
    application.add_error_handler(on_error)
