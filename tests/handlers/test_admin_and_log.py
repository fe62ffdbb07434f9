"""Question recording, feedback buttons and the admin commands, through the real handlers."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.handlers import inline
from bot.logreader import LogReader
from bot.matching import Matcher
from bot.text import english_words
from tests.fakes import USER, callback_query, inline_query
from tests.handlers.conftest import ADMIN_ID, Harness, logged_application

ADMIN = {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"}
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def log_of(harness: Harness):
    return harness.application.bot_data.question_log


async def admin_says(harness: Harness, text: str) -> str:
    [sent] = await harness.send(text, extra={"from": ADMIN}, chat_id=ADMIN_ID)
    return sent["text"]


async def test_questions_are_recorded_per_chat_type(logged_harness: Harness):
    await logged_harness.send("what is a tpi")
    await logged_harness.send("/ask@tpi_faq_bot 20553", chat_type="supergroup")
    await logged_harness.send("lunch anyone?", chat_type="group")  # not addressed: not handled
    log = log_of(logged_harness)
    assert log.flush()
    stats = LogReader(log.path).stats(
        __import__("datetime").datetime(2000, 1, 1, tzinfo=__import__("datetime").UTC)
    )
    assert stats.total == 2 and stats.by_status == {"answer": 2}


async def test_inline_queries_are_recorded_once_typing_stops(logged_harness: Harness, monkeypatch):
    monkeypatch.setattr(inline, "LOG_AFTER_SECONDS", 0.05)
    for typed in ("dr", "dry", "dry need", "dry needling"):
        await logged_harness.process({"inline_query": inline_query(typed)})
    await asyncio.sleep(0.3)
    log = log_of(logged_harness)
    assert log.flush() and LogReader(log.path).count() == 1


async def test_a_pending_inline_query_is_recorded_at_shutdown(logged_harness: Harness):
    await logged_harness.process({"inline_query": inline_query("dry needling")})
    started = asyncio.get_running_loop().time()
    await logged_harness.application.stop()  # waits for the pending record, without delay
    assert asyncio.get_running_loop().time() - started < inline.LOG_AFTER_SECONDS / 2
    log = log_of(logged_harness)
    assert log.flush() and LogReader(log.path).count() == 1


async def test_an_error_while_recording_reaches_the_error_handler(
    logged_harness: Harness, monkeypatch, caplog
):
    def broken(*_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(inline, "LOG_AFTER_SECONDS", 0.05)
    monkeypatch.setattr(inline, "record", broken)
    await logged_harness.process({"inline_query": inline_query("dry needling")})
    await asyncio.sleep(0.3)
    failed = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert failed and failed[0].exc_info[1].args == ("disk on fire",)


async def test_vote_buttons_record_feedback(logged_harness: Harness):
    await logged_harness.process({"callback_query": callback_query("vote:cpt-code:1", "v1")})
    await logged_harness.process({"callback_query": callback_query("vote:cpt-code:0", "v2")})
    # A vote for an entry the knowledge does not have (removed, or forged) is not counted:
    # it replaced the vote on cpt-code and put its id into /stats.
    await logged_harness.process({"callback_query": callback_query("vote:no-such-entry:1", "v3")})
    answers = logged_harness.request.sent("answerCallbackQuery")
    assert [a["text"] for a in answers][:2] == ["Thanks for the feedback!"] * 2
    assert "not counted" in answers[2]["text"]
    log = log_of(logged_harness)
    assert log.flush()
    votes = LogReader(log.path).stats(EPOCH).votes
    assert [(v.entry_id, v.helpful, v.not_helpful) for v in votes] == [("cpt-code", 0, 1)]


async def test_stats_for_admins(logged_harness: Harness):
    await logged_harness.send("20553")
    await logged_harness.send("symptoms of covid")
    assert log_of(logged_harness).flush()
    reply = await admin_says(logged_harness, "/stats")
    assert "Questions since" in reply and "answer: 1" in reply and "none: 1" in reply
    assert "1 × cpt-code" in reply
    assert "not reviewed in the last 12 months" in reply
    assert "Usage:" in await admin_says(logged_harness, "/stats last-tuesday")


async def test_unanswered_groups_similar_wordings(logged_harness: Harness):
    for text in ("cpt for knee replacement", "knee replacement cpt?", "pizza"):
        await logged_harness.send(text)
    assert log_of(logged_harness).flush()
    sent = await logged_harness.send("/unanswered", extra={"from": ADMIN}, chat_id=ADMIN_ID)
    reply = "\n".join(message["text"] for message in sent)  # a message per group
    assert (
        "2 × &#x27;cpt for knee replacement&#x27; (2 wordings)" in reply
        or "2 × 'cpt for knee replacement' (2 wordings)" in reply
    )


async def test_reload_reports_changes_and_serves_the_new_knowledge(logged_harness: Harness):
    settings = logged_harness.application.bot_data.settings
    path = settings.knowledge_dir / "treatment.yaml"
    path.write_text(
        path.read_text().replace(
            "physical therapy, stretching and exercise",
            "physical therapy, stretching and regular exercise",
        )
    )
    (settings.knowledge_dir / "procedure.yaml").write_text(
        (settings.knowledge_dir / "procedure.yaml")
        .read_text()
        .replace(
            "related: [relief-duration, steroid-or-anesthetic, treatments]",
            "related: [relief-duration, steroid-or-anesthetic]",
        )
    )
    count = len(logged_harness.application.bot_data.matcher.knowledge.entries)
    reply = await admin_says(logged_harness, "/reload")
    assert f"Reloaded {count} entries" in reply and "edited: effectiveness, treatments" in reply
    [answer] = await logged_harness.send("how are trigger points treated")
    assert "regular exercise" in answer["text"]


async def words_loaded_within(seconds: float) -> bool:
    for _ in range(int(seconds / 0.01)):
        if english_words.cache_info().currsize:
            return True
        await asyncio.sleep(0.01)
    return False


async def test_the_english_words_are_loaded_before_anyone_asks(tmp_path: Path, matcher: Matcher):
    # Read by a job once the bot runs (even when starting took longer than APScheduler's
    # 1 s grace for a late job), and for a reloaded matcher before it serves: the first
    # misspelt question never waits 0.3 s for them on the event loop.
    english_words.cache_clear()
    admins = {"ADMIN_USER_IDS": str(ADMIN_ID)}
    async with logged_application(tmp_path, matcher, admins, start_after=1.5) as harness:
        assert await words_loaded_within(10)
        reply = await admin_says(harness, "/reload")
        reloaded = harness.application.bot_data.matcher
        assert reply.startswith("Reloaded") and reloaded is not matcher and reloaded.prepared


async def test_failed_reload_keeps_the_old_knowledge(logged_harness: Harness):
    settings = logged_harness.application.bot_data.settings
    before = logged_harness.application.bot_data.matcher
    (settings.knowledge_dir / "broken.yaml").write_text("entries:\n  - id: x\n    topic: [oops\n")
    reply = await admin_says(logged_harness, "/reload")
    count = len(before.knowledge.entries)
    assert f"Reload failed; still serving the previous knowledge ({count} entries)" in reply
    assert "broken.yaml:4: invalid YAML" in reply
    assert logged_harness.application.bot_data.matcher is before
    [answer] = await logged_harness.send("20553")
    assert "20553" in answer["text"]


@pytest.mark.parametrize("command", ["/reload", "/stats", "/unanswered"])
async def test_non_admins_are_refused_and_change_nothing(logged_harness: Harness, command: str):
    settings = logged_harness.application.bot_data.settings
    (settings.knowledge_dir / "extra.yaml").write_text(
        "entries:\n  - {id: new-one, topic: billing, reviewed: 2026-11-01, question: 'New?', answer: A., sources: [{name: S}]}\n"
    )
    before = logged_harness.application.bot_data.matcher
    [sent] = await logged_harness.send(command)
    assert (
        sent["text"] == "Sorry, that command is for the bot&#x27;s admins."
        or sent["text"] == "Sorry, that command is for the bot's admins."
    )
    assert logged_harness.application.bot_data.matcher is before
    assert await logged_harness.send(command, chat_type="supergroup", extra={"from": ADMIN}) == []


async def test_admin_commands_are_silent_in_groups_even_for_admins(logged_harness: Harness):
    assert await logged_harness.send("/stats", chat_type="group", extra={"from": ADMIN}) == []
    assert USER["id"] != ADMIN_ID
