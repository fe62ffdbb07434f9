"""Tier-1 handler tests: the real Application and real Updates, with a recording BaseRequest."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.app import build_application
from bot.config import load_settings
from bot.handlers import inline
from bot.handlers.context import BotApplication
from bot.matching import Matcher
from bot.questionlog import QuestionLog
from tests.conftest import ROOT
from tests.fakes import RecordingRequest, message

TOKEN = "123456:TESTtoken-for-handlers"


class Harness:
    """An initialized application plus helpers that build and process updates."""

    def __init__(self, application: BotApplication, request: RecordingRequest) -> None:
        self.application = application
        self.request = request
        self._update_ids = count(1)
        self._message_ids = count(1)

    async def process(self, payload: dict[str, Any]) -> None:
        payload = {"update_id": next(self._update_ids), **payload}
        await self.application.process_update(Update.de_json(payload, self.application.bot))

    def message(self, text: str | None = "hi", **kwargs: Any) -> dict[str, Any]:
        return message(text, message_id=next(self._message_ids), **kwargs)

    async def send(self, text: str | None = "hi", **kwargs: Any) -> list[dict[str, Any]]:
        """Process a new message; return the sendMessage calls it caused."""
        before = len(self.request.calls)
        await self.process({"message": self.message(text, **kwargs)})
        return [p for name, p in self.request.calls[before:] if name == "sendMessage"]


@asynccontextmanager
async def running(application: BotApplication) -> AsyncIterator[BotApplication]:
    """Initialized and started, as in the bot (application tasks are awaited at stop)."""
    async with application:
        await application.start()
        try:
            yield application
        finally:
            if application.running:  # a test may have stopped it already
                await application.stop()


@pytest.fixture(autouse=True)
def prompt_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pending inline-query log notices the application stopping within 10 ms, not 0.2 s.

    Every test that sends an inline query otherwise waits out one STOP_CHECK_SECONDS poll
    in its teardown (application.stop() awaits the pending record).
    """
    monkeypatch.setattr(inline, "STOP_CHECK_SECONDS", 0.01)


@pytest.fixture
async def harness(matcher: Matcher) -> AsyncIterator[Harness]:
    request = RecordingRequest()
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    application = build_application(
        settings, matcher, request=request, get_updates_request=RecordingRequest()
    )
    async with running(application):
        yield Harness(application, request)


ADMIN_ID = 4242


@pytest.fixture
async def logged_harness(tmp_path: Path, matcher: Matcher) -> AsyncIterator[Harness]:
    """A harness with a question log and its own copy of the knowledge, for admin tests.

    Tests may edit the copy and /reload it. The application starts with the session's
    matcher: the copy holds the same files, so loading it would give an equal knowledge
    base (compiling a matcher per test was most of the handler tests' time).
    """
    async with logged_application(tmp_path, matcher, {"ADMIN_USER_IDS": str(ADMIN_ID)}) as harness:
        yield harness


@asynccontextmanager
async def logged_application(
    tmp_path: Path, matcher: Matcher, env: dict[str, str], start_after: float = 0.0
) -> AsyncIterator[Harness]:
    """A running application with a question log in ``tmp_path / "data"`` and a copy of
    the shipped knowledge in ``tmp_path / "knowledge"``; ``env`` adds settings;
    ``start_after``: seconds between building and starting it (a slow start-up)."""
    knowledge_dir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge_dir)
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KNOWLEDGE_DIR": str(knowledge_dir),
            "DATA_DIR": str(tmp_path / "data"),
            **env,
        }
    )
    log = QuestionLog(settings.data_dir)
    log.start()
    request = RecordingRequest()
    application = build_application(
        settings,
        matcher,
        request=request,
        get_updates_request=RecordingRequest(),
        question_log=log,
    )
    await asyncio.sleep(start_after)
    async with running(application):
        yield Harness(application, request)
    log.close()
