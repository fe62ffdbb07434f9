"""End-to-end fixtures: the fake Bot API and run_bot.py as a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fakes import FakeBotApi

TOKEN = "987654:E2E-secret-token_never-print-me"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BotProcess:
    """run_bot.py in a subprocess, its output collected line by line as it comes."""

    def __init__(self, base_url: str, tmp_path: Path, env: dict[str, str]) -> None:
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))
        }
        environment.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url)
        environment.update({"LOG_LEVEL": "DEBUG", **env})
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run_bot.py")],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, text: str, count_: int = 1, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while sum(text in line for line in self.lines) < count_:
            assert time.monotonic() < deadline, f"no {text!r} in:\n{self.output}"
            time.sleep(0.05)

    def wait(self, timeout: float = 20) -> int:
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, float]:
        """Send ``sig``; return the exit code and how long the stop took."""
        started = time.monotonic()
        self.process.send_signal(sig)
        return self.wait(15), time.monotonic() - started


@contextmanager
def running_bot(api: FakeBotApi, tmp_path: Path, **env: str) -> Iterator[BotProcess]:
    bot = BotProcess(api.base_url, tmp_path, env)
    try:
        yield bot
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.wait()


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as server:
        yield server
