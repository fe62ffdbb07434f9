"""The weekly digest: scheduled on the JobQueue, run with a fake clock, sent to admins."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application
from bot.callbackdata import parse_teach
from bot.config import ConfigError, load_settings
from bot.digest import parse_schedule
from bot.handlers.digest import JOB_NAME
from bot.matching import Matcher
from tests.fakes import RecordingRequest, error_body
from tests.handlers.conftest import TOKEN, Harness, logged_application

ADMINS = (4242, 777)  # 777 never started the bot: Telegram refuses to message them


def settings_for(tmp_path: Path, **env: str):
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KNOWLEDGE_DIR": str(tmp_path / "knowledge"),
            "DATA_DIR": str(tmp_path / "data"),
            "ADMIN_USER_IDS": ",".join(map(str, ADMINS)),
            **env,
        }
    )


@pytest.fixture
async def digest_harness(tmp_path: Path, matcher: Matcher) -> AsyncIterator[Harness]:
    """Started with the session's matcher: the copied knowledge holds the same files."""
    env = {"ADMIN_USER_IDS": ",".join(map(str, ADMINS)), "TZ": "America/New_York"}
    async with logged_application(tmp_path, matcher, env) as harness:
        yield harness


async def test_the_digest_is_scheduled_for_monday_9_in_tz(digest_harness: Harness):
    [job] = digest_harness.application.job_queue.get_jobs_by_name(JOB_NAME)
    runs_at = job.next_t.astimezone(ZoneInfo("America/New_York"))
    now = dt.datetime.now(dt.UTC)
    assert runs_at.weekday() == 0 and (runs_at.hour, runs_at.minute) == (9, 0)
    assert now < job.next_t <= now + dt.timedelta(days=7)
    schedule = digest_harness.application.bot_data.settings.digest
    assert job.next_t == schedule.next_after(now)


async def test_the_digest_reports_the_week_to_each_admin(digest_harness: Harness):
    application = digest_harness.application
    for question in ("can i drive home after trigger point injections",) * 2 + ("20553",):
        await digest_harness.send(question)
    assert application.bot_data.question_log.flush()
    request = digest_harness.request
    [job] = application.job_queue.get_jobs_by_name(JOB_NAME)

    application.bot_data.digest_clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    before = len(request.calls)
    blocked = error_body(403, "Forbidden: bot can't initiate conversation with a user")
    original = request.do_request

    # 777 has not started the bot: Telegram answers 403 to messages to them.
    async def refuse_777(url, method, request_data=None, **kwargs):
        if url.endswith("sendMessage") and request_data.parameters.get("chat_id") == 777:
            request.calls.append(("sendMessage", dict(request_data.parameters)))
            return blocked[0], json.dumps(blocked[1]).encode()
        return await original(url, method, request_data, **kwargs)

    request.do_request = refuse_777
    await job.run(application)

    sent = [p for name, p in request.calls[before:] if name == "sendMessage"]
    to_admin = [p for p in sent if p["chat_id"] == 4242]
    assert [p["chat_id"] for p in sent].count(777) == 1  # refused once, then skipped
    summary = html.unescape(to_admin[0]["text"])
    assert summary.startswith("Weekly digest: ")
    assert "answer: 1" in summary and "suggest: 2" in summary and "1 × cpt-code" in summary
    assert "Unanswered questions: 1 group;" in summary
    assert "not reviewed in the last 12 months" in summary
    [group] = to_admin[1:]
    assert "2 × 'can i drive home after trigger point injections'" in html.unescape(group["text"])
    data = [b["callback_data"] for row in group["reply_markup"]["inline_keyboard"] for b in row]
    taught = [pressed.target for d in data if (pressed := parse_teach(d))]
    assert "aftercare" in taught and "tc:i:" in data[-1]

    # A month later the week holds nothing.
    application.bot_data.digest_clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    before = len(request.calls)
    await job.run(application)
    later = [p for name, p in request.calls[before:] if name == "sendMessage"]
    later_text = html.unescape(later[0]["text"])
    assert "Unanswered questions: none." in later_text and "answer: 0" in later_text
    assert len([p for p in later if p["chat_id"] == 4242]) == 1


def test_digest_settings(tmp_path: Path):
    assert settings_for(tmp_path, DIGEST_SCHEDULE="").digest is None
    assert settings_for(tmp_path, DIGEST_SCHEDULE="off").digest is None
    daily = settings_for(tmp_path, DIGEST_SCHEDULE="daily 18:30").digest
    assert daily.ptb_days() == tuple(range(7)) and daily.time.hour == 18
    assert parse_schedule(None, None).ptb_days() == (1,)  # PTB counts from Sunday
    for env, variable in (
        ({"DIGEST_SCHEDULE": "mondays"}, "DIGEST_SCHEDULE"),
        ({"DIGEST_SCHEDULE": "mon 24:00"}, "DIGEST_SCHEDULE"),
        ({"TZ": "Mars/Olympus"}, "TZ"),
    ):
        with pytest.raises(ConfigError, match=variable):
            settings_for(tmp_path, **env)


async def test_no_job_when_the_digest_is_off(tmp_path: Path, matcher: Matcher):
    settings = settings_for(tmp_path, DIGEST_SCHEDULE="")
    application = build_application(
        settings,
        matcher,
        request=RecordingRequest(),
        get_updates_request=RecordingRequest(),
    )
    assert application.job_queue.get_jobs_by_name(JOB_NAME) == ()
