"""The core and the console run without python-telegram-bot: importing them loads none of it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

CORE = ("bot.knowledge", "bot.matching", "bot.replies", "bot.text")
# Front ends and tools on the core that must not need Telegram either (bot.cli imports
# bot.app only for `run`).
WITHOUT_TELEGRAM = (*CORE, "bot.answering", "bot.callbackdata", "bot.console", "bot.cli")

PROBE = """
import importlib, json, sys

def telegram_modules():
    return sorted(name for name in sys.modules if name.split(".")[0] == "telegram")

for module in sys.argv[1:]:
    importlib.import_module(module)
before = telegram_modules()
importlib.import_module("bot.app")
print(json.dumps([before, telegram_modules()]))
"""


def test_importing_the_core_loads_no_telegram_module():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *WITHOUT_TELEGRAM],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    core, with_app = json.loads(done.stdout)
    assert core == []
    assert "telegram.ext" in with_app  # the probe does see telegram when it is imported
