"""python-telegram-bot's network errors are logged as one line with the error, no traceback."""

from __future__ import annotations

import logging
import sys

from telegram.error import BadRequest, TimedOut

from bot.app import _NetworkLogFilter


def _record(error: Exception) -> logging.LogRecord:
    try:
        raise error
    except Exception:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "telegram.ext.Updater",
        logging.ERROR,
        __file__,
        1,
        "Error while calling `get_updates` one more time (%s)",
        ("offset 7",),
        exc_info,
    )


def test_a_network_error_keeps_its_text_and_loses_its_traceback() -> None:
    # At shutdown on a busy machine PTB's last get_updates can time out; a traceback there
    # reads like a crash although the bot stops cleanly.
    record = _record(TimedOut("Timed out"))
    assert _NetworkLogFilter(logging.INFO).filter(record)
    line = logging.Formatter().format(record)
    assert "Traceback" not in line
    assert line == (
        "Error while calling `get_updates` one more time (offset 7) (TimedOut: Timed out)"
    )


def test_a_bad_request_keeps_its_traceback() -> None:
    # PTB counts BadRequest as a NetworkError; it is a mistake to read in full.
    record = _record(BadRequest("Chat not found"))
    assert _NetworkLogFilter(logging.INFO).filter(record)
    assert "Traceback" in logging.Formatter().format(record)
