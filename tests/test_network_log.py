"""python-telegram-bot's transport failures are logged as one line with the error, no
traceback; every other error keeps its traceback."""

from __future__ import annotations

import logging

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.app import _NetworkLogFilter

GET_UPDATES_AGAIN = "Error while calling `get_updates` one more time (%s)"


def _raised(error: Exception, cause: Exception | None = None) -> Exception:
    try:
        raise error from cause
    except Exception as raised:
        return raised


def _record(
    error: Exception, name: str = "telegram.ext.Updater", msg: str = GET_UPDATES_AGAIN
) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__)
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, ("offset 7",), exc_info)


def _logged(record: logging.LogRecord) -> str:
    assert _NetworkLogFilter(logging.INFO).filter(record)
    return logging.Formatter().format(record)


def test_a_timeout_keeps_its_text_and_loses_its_traceback() -> None:
    # At shutdown on a busy machine PTB's last get_updates can time out; a traceback there
    # reads like a crash although the bot stops cleanly.
    line = _logged(_record(_raised(TimedOut("Timed out"))))
    assert line == (
        "Error while calling `get_updates` one more time (offset 7) (TimedOut: Timed out)"
    )


def test_a_dropped_connection_is_one_line_too() -> None:
    dropped = _raised(
        NetworkError("httpx.ConnectError: All connection attempts failed"),
        httpx.ConnectError("All connection attempts failed"),
    )
    line = _logged(_record(dropped))
    assert "Traceback" not in line and "All connection attempts failed" in line


def test_other_errors_keep_their_traceback() -> None:
    # A bad request is a mistake to read in full (PTB counts BadRequest as a NetworkError);
    # so is an unknown exception PTB wraps in a NetworkError.
    assert "Traceback" in _logged(_record(_raised(BadRequest("Chat not found"))))
    wrapped = _raised(NetworkError("Unknown error in HTTP implementation"), KeyError("oops"))
    assert "Traceback" in _logged(_record(wrapped))
    # Our own error handler's record says which update failed: its traceback says where.
    ours = _record(_raised(TimedOut("Timed out")), name="bot.handlers.errors")
    assert "Traceback" in _logged(ours)


def test_a_malformed_log_call_is_left_for_logging_to_report() -> None:
    record = _record(_raised(TimedOut("Timed out")), msg="%s and %s")
    assert _NetworkLogFilter(logging.INFO).filter(record)  # no TypeError here
    assert record.exc_info is not None
