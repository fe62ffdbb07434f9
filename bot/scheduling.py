"""Fair update scheduling: chats side by side, in order within each chat, floods cut short.

python-telegram-bot handles one update at a time by default, so one busy chat, or one
group waiting for Telegram's 20-messages-a-minute limit, holds up every other chat. The
application is built with ``concurrent_updates(FairUpdateProcessor(...))``: every update
then runs in its own task, and this processor makes the updates of one chat (or of one
user's inline queries) take turns in the order they came. A chat with more than
``max_waiting`` updates waiting is flooding: its excess is skipped, not queued, and it gets
one short note per flood (``on_flood``), while other chats go on as before. Updates no
handler takes (``handles``: a group's chatter, not addressed to the bot) neither wait in
their chat's line nor count towards a flood.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

# More waiting questions than one person could read: Telegram itself lets a bot send about
# 20 messages a minute to a group, so 20 waiting is a minute of answers there.
MAX_WAITING_PER_CHAT = 20
# Updates in progress at once, waiting for their chat's turn included. Each flooding chat
# holds at most MAX_WAITING_PER_CHAT + 1 of them, so this leaves room for ~100 such chats.
MAX_CONCURRENT_UPDATES = 2048

FloodCallback = Callable[[Update], Awaitable[None]]
UpdateCheck = Callable[[object], bool]


@dataclass
class _Line:
    """The updates of one chat that are running or waiting for their turn."""

    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0
    skipped: int = 0


def line_key(update: object) -> tuple[str, int] | None:
    """Whose turn an update waits for: its chat, or the user for inline queries."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class FairUpdateProcessor(BaseUpdateProcessor):
    """Chats concurrently, each chat's updates one at a time in order; floods skipped."""

    def __init__(
        self,
        *,
        max_waiting: int = MAX_WAITING_PER_CHAT,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        on_flood: FloodCallback | None = None,
        handles: UpdateCheck | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.max_waiting = max_waiting
        self.on_flood = on_flood
        self.handles = handles
        self.skipped = 0
        self._lines: dict[tuple[str, int], _Line] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = line_key(update)
        if key is None or (self.handles is not None and not self.handles(update)):
            await coroutine  # nothing to answer: a group's chatter does not flood it
            return
        # Everything up to the lock runs without yielding, so updates join their line in the
        # order python-telegram-bot hands them over; asyncio.Lock then serves them in order.
        line = self._lines.setdefault(key, _Line())
        if line.pending > self.max_waiting:
            await self._skip(update, line, coroutine)
            return
        line.pending += 1
        try:
            async with line.turn:
                await coroutine
        finally:
            line.pending -= 1
            if line.pending == 0:
                del self._lines[key]
                if line.skipped:
                    logger.warning("a flood ended: %d updates of one chat skipped", line.skipped)

    async def _skip(self, update: object, line: _Line, coroutine: Awaitable[Any]) -> None:
        if isinstance(coroutine, Coroutine):
            coroutine.close()  # never started: nothing to clean up, no "never awaited" warning
        self.skipped += 1
        line.skipped += 1
        if line.skipped == 1:
            logger.warning("a chat sends faster than it can be answered; skipping its excess")
            if self.on_flood is not None and isinstance(update, Update):
                await self.on_flood(update)

    async def initialize(self) -> None:
        """Nothing to set up: lines are made as chats write."""

    async def shutdown(self) -> None:
        """Nothing to free: python-telegram-bot waits for running updates before this."""
