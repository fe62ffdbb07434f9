"""Fake Telegram transports for tests and benchmarks.

- :class:`RecordingRequest`: a ``BaseRequest`` that records calls and answers in-process.
- :class:`FakeBotApi`: a Bot API server on 127.0.0.1 for end-to-end runs of ``run_bot.py``
  (it speaks PTB's wire format: form-encoded bodies, JSON-encoded structured fields).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData

BOT = {"id": 999, "is_bot": True, "first_name": "TPI FAQ", "username": "tpi_faq_bot"}
USER = {"id": 42, "is_bot": False, "first_name": "Pat"}
JSON_FIELDS = {
    "reply_markup",
    "results",
    "commands",
    "scope",
    "reply_parameters",
    "allowed_updates",
    "link_preview_options",
    "chat_id",
    "offset",
    "timeout",
    "show_alert",
    "cache_time",
}


class Failures:
    """Staged error responses per method: permanent, or consumed one at a time."""

    def __init__(self) -> None:
        self.permanent: dict[str, tuple[int, dict[str, Any]]] = {}
        self.queued: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def next_for(self, method: str) -> tuple[int, dict[str, Any]] | None:
        with self._lock:
            if self.queued.get(method):
                return self.queued[method].pop(0)
            return self.permanent.get(method)


def error_body(status: int, description: str, **parameters: Any) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, body


class _Results:
    """Canned results shared by both fakes."""

    def __init__(self) -> None:
        self._message_ids = count(1000)

    def result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id", 1))
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "text": params.get("text", ""),
            }
        return True


class RecordingRequest(BaseRequest):
    """Records every Bot API call and answers in-process with canned results."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures = Failures()
        self._results = _Results()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((endpoint, params))
        failure = self.failures.next_for(endpoint)
        if failure is not None:
            return failure[0], json.dumps(failure[1]).encode()
        if endpoint == "getUpdates":
            return 200, b'{"ok": true, "result": []}'
        result = self._results.result(endpoint, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def sent(self, endpoint: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == endpoint]


class FakeBotApi:
    """A Bot API server on 127.0.0.1:<free port> serving ``/bot<token>/<method>``."""

    def __init__(self, token: str, port: int = 0) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.call_times: list[float] = []
        self.failures = Failures()
        self.unknown_token_requests = 0
        self._updates: list[dict[str, Any]] = []
        self._update_ids = count(1)
        self._results = _Results()
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self._changed:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._changed.notify_all()
        return update_id

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._changed:
            return [params for name, params in self.calls if name == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.1))
        return True

    def wait_for_call(
        self, method: str, count_: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        def enough() -> bool:
            return sum(1 for name, _ in self.calls if name == method) >= count_

        if not self.wait_for(enough, timeout):
            raise AssertionError(
                f"no {count_} x {method} within {timeout}s; calls: {self.methods()}"
            )
        return self.calls_to(method)

    def methods(self) -> list[str]:
        with self._changed:
            return [name for name, _ in self.calls]

    def _record(self, method: str, params: dict[str, Any]) -> None:
        with self._changed:
            self.calls.append((method, params))
            self.call_times.append(time.monotonic())
            self._changed.notify_all()

    def times_of(self, method: str) -> list[float]:
        with self._changed:
            return [
                t
                for (name, _), t in zip(self.calls, self.call_times, strict=True)
                if name == method
            ]

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + wait
        with self._changed:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset][:100]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    return ready
                self._changed.wait(remaining)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                prefix = f"/bot{api.token}/"
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if not self.path.startswith(prefix):
                    api.unknown_token_requests += 1
                    self._send(*error_body(401, "Unauthorized"))
                    return
                method = self.path[len(prefix) :]
                params = {
                    key: (json.loads(value) if key in JSON_FIELDS else value)
                    for key, value in parse_qsl(body, keep_blank_values=True)
                }
                api._record(method, params)
                failure = api.failures.next_for(method)
                if failure is not None:
                    self._send(*failure)
                    return
                if method == "getUpdates":
                    result: Any = api._get_updates(params)
                else:
                    result = api._results.result(method, params)
                self._send(200, {"ok": True, "result": result})

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot gave up a long poll while stopping

        return Handler


def message(
    text: str | None,
    *,
    message_id: int = 1,
    chat_type: str = "private",
    chat_id: int | None = None,
    entities: list[dict[str, Any]] | None = None,
    reply_to_bot: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A Message payload as Telegram sends it; commands get their bot_command entity."""
    if chat_id is None:
        chat_id = USER["id"] if chat_type == "private" else -100123
    payload: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type, "title": "Clinic"},
        "from": USER,
    }
    entities = list(entities or [])
    if text is not None:
        payload["text"] = text
        if text.startswith("/"):
            entities.insert(
                0, {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            )
    if entities:
        payload["entities"] = entities
    if reply_to_bot:
        payload["reply_to_message"] = {
            "message_id": 7,
            "date": 0,
            "chat": payload["chat"],
            "from": BOT,
            "text": "an earlier answer",
        }
    payload.update(extra or {})
    return payload


def callback_query(data: str, query_id: str = "cq1", chat_type: str = "private") -> dict[str, Any]:
    """A button press on one of the bot's messages."""
    pressed_on = message("an earlier answer", chat_type=chat_type)
    pressed_on["from"] = BOT
    return {
        "id": query_id,
        "from": USER,
        "chat_instance": "c",
        "data": data,
        "message": pressed_on,
    }


def inline_query(query: str, query_id: str = "iq1") -> dict[str, Any]:
    return {"id": query_id, "from": USER, "query": query, "offset": ""}
