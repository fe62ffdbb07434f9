"""Tier-1 handler tests: the real Application and real Updates, with a recording BaseRequest."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from itertools import count
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.config import load_settings
from bot.matching import Matcher

TOKEN = "123456:TESTtoken-for-handlers"
BOT = {"id": 999, "is_bot": True, "first_name": "TPI FAQ", "username": "tpi_faq_bot"}
USER = {"id": 42, "is_bot": False, "first_name": "Pat"}


class RecordingRequest(BaseRequest):
    """Records every Bot API call and answers with canned results (or staged errors)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: dict[str, tuple[int, dict[str, Any]]] = {}
        self._message_ids = count(1000)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ):
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((endpoint, params))
        if endpoint in self.failures:
            status, body = self.failures[endpoint]
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(endpoint, params)}).encode()

    def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return BOT
        if endpoint in ("sendMessage", "editMessageText"):
            chat_id = params.get("chat_id", 1)
            chat_type = "private" if int(chat_id) > 0 else "supergroup"
            return {
                "message_id": next(self._message_ids),
                "date": 0,
                "chat": {"id": chat_id, "type": chat_type},
                "text": params.get("text", ""),
            }
        if endpoint == "getUpdates":
            return []
        return True

    def sent(self, endpoint: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == endpoint]


class Harness:
    """An initialized application plus helpers that build and process updates."""

    def __init__(self, application: Application, request: RecordingRequest) -> None:
        self.application = application
        self.request = request
        self._update_ids = count(1)
        self._message_ids = count(1)

    async def process(self, payload: dict[str, Any]) -> None:
        payload = {"update_id": next(self._update_ids), **payload}
        await self.application.process_update(Update.de_json(payload, self.application.bot))

    def message(
        self,
        text: str | None = "hi",
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        reply_to_bot: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if chat_id is None:
            chat_id = USER["id"] if chat_type == "private" else -100123
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": 0,
            "chat": {"id": chat_id, "type": chat_type, "title": "Clinic"},
            "from": USER,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                entities = [
                    {"type": "bot_command", "offset": 0, "length": len(command)},
                    *(entities or []),
                ]
        if entities:
            message["entities"] = entities
        if reply_to_bot:
            message["reply_to_message"] = {
                "message_id": 7,
                "date": 0,
                "chat": message["chat"],
                "from": BOT,
                "text": "an earlier answer",
            }
        message.update(extra or {})
        return message

    async def send(self, text: str | None = "hi", **kwargs: Any) -> list[dict[str, Any]]:
        before = len(self.request.calls)
        await self.process({"message": self.message(text, **kwargs)})
        return [p for name, p in self.request.calls[before:] if name == "sendMessage"]


@pytest.fixture
async def harness(matcher: Matcher) -> AsyncIterator[Harness]:
    request = RecordingRequest()
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    application = build_application(
        settings, matcher, request=request, get_updates_request=RecordingRequest()
    )
    async with application:
        yield Harness(application, request)
