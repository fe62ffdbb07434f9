"""Teaching from Telegram: /unanswered buttons, confirmation, reload; refusals change nothing."""

from __future__ import annotations

import html
from typing import Any

import pytest

from bot.callbackdata import TeachButton, parse_teach, teach_data
from bot.knowledge import load_knowledge
from bot.matching import Matcher, Status
from bot.teach import knowledge_digest
from tests.fakes import callback_query
from tests.handlers.conftest import ADMIN_ID, Harness

ADMIN = {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"}
QUESTION = "can i drive home after trigger point injections"


def decode(data: str) -> TeachButton:
    pressed = parse_teach(data)
    assert pressed is not None, data
    return pressed


def encode(action: str, *fields: object) -> str:
    data = teach_data(action, *fields)
    assert data is not None
    return data


def buttons(sent: dict[str, Any]) -> dict[str, str]:
    """label -> callback data of a sent message's keyboard."""
    rows = sent.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def admin_sends(harness: Harness, text: str) -> list[dict[str, Any]]:
    return await harness.send(text, extra={"from": ADMIN}, chat_id=ADMIN_ID)


async def press(harness: Harness, data: str, *, admin: bool = True) -> list[dict[str, Any]]:
    """Press a button; return the messages sent in answer."""
    query = callback_query(data, f"q{len(harness.request.calls)}")
    if admin:
        query["from"] = ADMIN
        query["message"]["chat"]["id"] = ADMIN_ID
    before = len(harness.request.calls)
    await harness.process({"callback_query": query})
    return [p for name, p in harness.request.calls[before:] if name == "sendMessage"]


async def ask_unanswered(harness: Harness, times: int = 3) -> None:
    for _ in range(times):
        [answer] = await harness.send(QUESTION)
        assert "Did you mean" in answer["text"]
    assert harness.application.bot_data.question_log.flush()


async def group_message(harness: Harness) -> dict[str, Any]:
    sent = await admin_sends(harness, "/unanswered")
    [group] = [m for m in sent if QUESTION in html.unescape(m["text"])]
    assert f"3 × {QUESTION!r} (1 wording)" in html.unescape(group["text"])
    return group


def knowledge_dir(harness: Harness):
    return harness.application.bot_data.settings.knowledge_dir


@pytest.mark.slow  # teaching runs check's collision search twice (seconds)
async def test_three_taps_teach_an_unanswered_question(logged_harness: Harness):
    await ask_unanswered(logged_harness)
    group = await group_message(logged_harness)
    offered = buttons(group)
    assert "Other entry…" in offered and "Ignore" in offered
    for data in offered.values():
        assert len(data.encode()) <= 64 and "drive" not in data  # a row id, not the text
    add = next(data for label, data in offered.items() if decode(data).target == "aftercare")

    [confirm] = await press(logged_harness, add)
    text = html.unescape(confirm["text"])
    assert QUESTION in text and "(aftercare)?" in text
    assert knowledge_digest(knowledge_dir(logged_harness)) == decode(add).fingerprint  # unchanged

    [done] = await press(logged_harness, buttons(confirm)["✅ Yes, add it"])
    assert "Added" in done["text"] and "(aftercare)" in done["text"]
    assert "edited: aftercare" in done["text"]

    [answer] = await logged_harness.send(QUESTION)
    aftercare = logged_harness.application.bot_data.matcher.knowledge.entry("aftercare")
    assert html.escape(aftercare.question, quote=False) in answer["text"]
    restarted = Matcher(load_knowledge(knowledge_dir(logged_harness)))  # what a restart reads
    result = restarted.answer(QUESTION)
    assert result.status is Status.ANSWER and result.entry.id == "aftercare"
    # Taught groups drop out of the next report.
    again = await admin_sends(logged_harness, "/unanswered")
    assert not any(QUESTION in html.unescape(m["text"]) for m in again)


async def test_other_entry_browses_topics_then_entries(logged_harness: Harness):
    await ask_unanswered(logged_harness, times=1)
    group = await group_message_any(logged_harness)
    [topics] = await press(logged_harness, buttons(group)["Other entry…"])
    topic_buttons = buttons(topics)
    assert "Coding the procedure" in topic_buttons
    [entries] = await press(logged_harness, next(iter(topic_buttons.values())))
    assert all(decode(d).action == "a" for d in buttons(entries).values())


async def group_message_any(harness: Harness) -> dict[str, Any]:
    sent = await admin_sends(harness, "/unanswered")
    return next(m for m in sent if QUESTION in html.unescape(m["text"]))


async def test_forged_stale_and_foreign_presses_change_nothing(logged_harness: Harness):
    await ask_unanswered(logged_harness, times=1)
    group = await group_message_any(logged_harness)
    add = decode(next(d for d in buttons(group).values() if decode(d).action == "a"))
    directory = knowledge_dir(logged_harness)
    before = knowledge_digest(directory)
    matcher = logged_harness.application.bot_data.matcher
    confirm = encode("y", add.row, add.target, add.fingerprint)

    await press(logged_harness, confirm, admin=False)
    refused = logged_harness.request.sent("answerCallbackQuery")[-1]
    assert refused["text"] == "Sorry, that command is for the bot's admins."

    [gone] = await press(logged_harness, encode("y", 987654, add.target, add.fingerprint))
    assert "no longer in the log" in gone["text"]
    [unknown] = await press(logged_harness, encode("y", add.row, "no-such-entry", before))
    assert "There is no entry" in html.unescape(unknown["text"])
    await press(logged_harness, "tc:y:1:x:zz")  # malformed
    assert "not valid" in logged_harness.request.sent("answerCallbackQuery")[-1]["text"]

    path = directory / "coding.yaml"  # edited on disk after the report
    path.write_text(path.read_text() + "# edited\n")
    [stale] = await press(logged_harness, confirm)
    assert "changed since this report" in stale["text"]
    assert not any(QUESTION in p.read_text() for p in directory.glob("*.yaml"))
    assert logged_harness.application.bot_data.matcher is matcher


async def test_ignore_hides_the_group_from_later_reports(logged_harness: Harness):
    await ask_unanswered(logged_harness, times=1)
    group = await group_message_any(logged_harness)
    [ignored] = await press(logged_harness, buttons(group)["Ignore"])
    assert "Ignored" in ignored["text"]
    await logged_harness.send(QUESTION.replace("injections", "injection"))  # a similar wording
    assert logged_harness.application.bot_data.question_log.flush()
    again = await admin_sends(logged_harness, "/unanswered")
    assert not any("drive home" in m["text"] for m in again)


async def test_not_helpful_answers_appear_in_stats_with_their_question(logged_harness: Harness):
    [answer] = await logged_harness.send("can I exercise after the injection")
    vote = buttons(answer)["👎 Not helpful"]
    assert vote.startswith("vote:aftercare:0:")
    query = callback_query(vote, "nh")
    query["message"] = {**query["message"], "message_id": 55}
    await logged_harness.process({"callback_query": query})
    assert logged_harness.application.bot_data.question_log.flush()

    sent = await admin_sends(logged_harness, "/stats")
    [rated] = [m for m in sent if "was answered with" in m["text"]]
    assert "can I exercise after the injection" in html.unescape(rated["text"])
    assert "aftercare" in rated["text"]
    rerouting = buttons(rated)
    assert "Other entry…" in rerouting
    assert all(decode(d).target != "aftercare" for d in rerouting.values())
