"""Groups (only when addressed), inline mode, buttons, long answers and API errors."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re

import pytest

from bot import icd10
from bot.icd10 import CodeSetFiles
from bot.knowledge import Entry, KnowledgeBase, Source, Topic
from bot.matching import Matcher
from tests.fakes import callback_query, error_body, inline_query
from tests.handlers.conftest import Harness


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_ignores_chatter_and_unknown_commands(harness: Harness, chat_type: str):
    assert await harness.send("what is the cpt code for tpi", chat_type=chat_type) == []
    assert await harness.send("covid symptoms?", chat_type=chat_type) == []
    assert await harness.send("/frobnicate", chat_type=chat_type) == []


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_ask_at_bot_is_compact_and_quotes(harness: Harness, chat_type: str):
    [sent] = await harness.send("/ask@tpi_faq_bot dry needling code", chat_type=chat_type)
    assert (
        "20560" in sent["text"]
        and "Sources: <a" in sent["text"]
        and "APTA Magazine" in sent["text"]
    )
    assert "reply_markup" not in sent  # compact: no related buttons
    assert "message_id" in sent["reply_parameters"]


async def test_group_ignores_ask_for_another_bot(harness: Harness):
    assert await harness.send("/ask@other_bot dry needling code", chat_type="supergroup") == []


async def test_group_answers_mentions_and_replies_to_the_bot(harness: Harness):
    text = "@tpi_faq_bot can I bill 76942 with a tpi"
    mention = [{"type": "mention", "offset": 0, "length": 12}]
    [sent] = await harness.send(text, chat_type="group", entities=mention)
    assert "76942" in sent["text"]
    [sent] = await harness.send(
        "and the J code for kenalog?", chat_type="group", reply_to_bot=True
    )
    assert "J3301" in sent["text"]


async def test_a_reaction_in_reply_to_the_bot_gets_no_reply(harness: Harness):
    # A Telegram probe's colleague answered the bot's reply with "lol ok": the bot posted
    # three suggestions to the group.
    for reaction in ("lol ok", "👍", "ok"):
        assert await harness.send(reaction, chat_type="group", reply_to_bot=True) == []
    # A follow-up of stop words that asks something is still answered.
    [sent] = await harness.send("How is it done?", chat_type="group", reply_to_bot=True)
    assert "What happens during a trigger point injection" in sent["text"]


async def test_group_start_and_a_bare_mention_say_how_to_ask_there(harness: Harness):
    # /start said "Just type your question", which a group ignores; a bare mention got
    # "Sorry, I don't have an answer to that" and eight topic buttons.
    [welcome] = await harness.send("/start@tpi_faq_bot", chat_type="group")
    assert "ask me with /ask and your question" in welcome["text"]
    assert "Just type your question" not in welcome["text"]
    mention = [{"type": "mention", "offset": 0, "length": 12}]
    [sent] = await harness.send("@tpi_faq_bot", chat_type="group", entities=mention)
    assert sent["text"].startswith("In a group, ask me with /ask") and "reply_markup" not in sent


async def test_bare_ask_or_mention_in_reply_to_a_colleague_answers_that_message(
    harness: Harness,
):
    colleague = {"id": 43, "is_bot": False, "first_name": "Sam"}
    question = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": -100123, "type": "supergroup", "title": "Clinic"},
        "from": colleague,
        "text": "what's the dry needling code?",
    }
    replying = {"reply_to_message": question}
    [asked] = await harness.send("/ask@tpi_faq_bot", chat_type="supergroup", extra=replying)
    assert "20560" in asked["text"]
    mention = [{"type": "mention", "offset": 0, "length": 12}]
    [mentioned] = await harness.send(
        "@tpi_faq_bot", chat_type="supergroup", entities=mention, extra=replying
    )
    assert "20560" in mentioned["text"]
    # Bare, replying to nothing, it still says how to ask.
    [usage] = await harness.send("/ask@tpi_faq_bot", chat_type="supergroup")
    assert "after the command" in usage["text"]
    # A question about the message replied to reads it first ("is this right?" got
    # suggestions of what a TPI is).
    statement = {**question, "text": "I think we bill 20552 twice for bilateral traps"}
    [checked] = await harness.send(
        "@tpi_faq_bot is this right?",
        chat_type="supergroup",
        entities=mention,
        extra={"reply_to_message": statement},
    )
    assert "20552 x 1" in checked["text"]


async def test_other_peoples_mentions_are_not_part_of_the_question(harness: Harness):
    # "@alice_rn" was read as words: "how many units of 20553" got only a suggestion.
    text = "@alice_rn @tpi_faq_bot how many units of 20553 can we bill?"
    mentions = [
        {"type": "mention", "offset": 0, "length": 9},
        {"type": "mention", "offset": 10, "length": 12},
    ]
    [sent] = await harness.send(text, chat_type="group", entities=mentions)
    assert sent["text"].startswith("<b>How many units of 20552 or 20553")
    await harness.process({"inline_query": inline_query("@alice_rn which code for 3 muscles")})
    [answered] = harness.request.sent("answerInlineQuery")
    assert answered["results"]


async def test_group_answers_a_caption_that_mentions_the_bot(harness: Harness):
    photo = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
    caption = "@tpi_faq_bot dry needling code?"
    mention = [{"type": "mention", "offset": 0, "length": 12}]
    extra = {"photo": photo, "caption": caption, "caption_entities": mention}
    [sent] = await harness.send(None, chat_type="group", extra=extra)
    assert "20560" in sent["text"] and "message_id" in sent["reply_parameters"]
    quiet = {"photo": photo, "caption": "dry needling code?"}
    assert await harness.send(None, chat_type="group", extra=quiet) == []


async def test_group_does_not_post_not_found_for_other_mentions(harness: Harness):
    mention = [{"type": "mention", "offset": 0, "length": 6}]
    assert await harness.send("@alice lunch?", chat_type="group", entities=mention) == []


async def test_button_press_shows_the_answer_and_is_answered(harness: Harness):
    await harness.process({"callback_query": callback_query("faq:same-day-visit")})
    [answered] = harness.request.sent("answerCallbackQuery")
    assert answered["callback_query_id"] == "cq1" and "text" not in answered
    assert "modifier 25" in harness.request.sent()[-1]["text"]


async def test_button_on_a_message_older_than_48_hours_answers_with_a_fresh_message(
    harness: Harness,
):
    pressed = callback_query("faq:same-day-visit")
    # Telegram's InaccessibleMessage: only chat, id and date 0 once the message is too old
    pressed["message"] = {"chat": pressed["message"]["chat"], "message_id": 7, "date": 0}
    await harness.process({"callback_query": pressed})
    [answered] = harness.request.sent("answerCallbackQuery")
    assert "text" not in answered
    [sent] = harness.request.sent("sendMessage")
    assert sent["chat_id"] == 42 and "reply_parameters" not in sent
    entry = harness.application.bot_data.matcher.knowledge.entry("same-day-visit")
    assert sent["text"].startswith(f"<b>{html.escape(entry.question)}</b>")


async def test_topic_button_lists_its_questions(harness: Harness):
    await harness.process({"callback_query": callback_query("topic:treatment")})
    keyboard = harness.request.sent()[-1]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == ["faq:treatments", "faq:which-doctor"]


async def test_stale_button_gets_a_polite_answer(harness: Harness):
    await harness.process({"callback_query": callback_query("faq:removed-entry")})
    [answered] = harness.request.sent("answerCallbackQuery")
    assert "no longer available" in answered["text"]
    assert harness.request.sent() == []


async def test_inline_query_lists_matching_answers(harness: Harness):
    await harness.process({"inline_query": inline_query("dry needling")})
    [answered] = harness.request.sent("answerInlineQuery")
    results = answered["results"]
    assert 1 <= len(results) <= 10 and results[0]["id"] == "dry-needling"
    first = results[0]
    assert first["title"] == "Which CPT code is used for dry needling?"
    assert first["description"].startswith("Dry needling")
    assert "APTA Magazine, February 2020</a>" in first["input_message_content"]["message_text"]
    assert all(len(r["id"].encode()) <= 64 for r in results)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("cant breathe after injection", "Call 911"),
        ("throat swelling after tpi", "severe allergic reaction"),
        ("chest pain after trigger point injection", "Call 911"),
    ],
)
async def test_an_inline_emergency_gets_the_safety_reply_alone(
    harness: Harness, query: str, says: str
):
    # Inline mode listed no result (or the side effects entry) where a chat gives the
    # safety reply before and instead of any answer.
    await harness.process({"inline_query": inline_query(query)})
    [answered] = harness.request.sent("answerInlineQuery")
    [result] = answered["results"]
    assert result["id"].startswith("safety:") and result["title"].startswith("⚠️")
    assert says in result["input_message_content"]["message_text"]
    assert "button" not in answered


async def test_empty_inline_query_lists_useful_entries(harness: Harness):
    await harness.process({"inline_query": inline_query("")})
    [answered] = harness.request.sent("answerInlineQuery")
    ids = [r["id"] for r in answered["results"]]
    assert len(ids) == 10 and ids[0] == "cpt-code" and len(set(ids)) == 10


async def test_inline_off_topic_query_lists_nothing_and_offers_the_private_chat(
    harness: Harness,
):
    await harness.process({"inline_query": inline_query("pizza near me")})
    [answered] = harness.request.sent("answerInlineQuery")
    assert answered["results"] == []
    button = answered["button"]
    assert "private chat" in button["text"] and button["start_parameter"] == "inline"
    # Where something matches, the list is all there is.
    await harness.process({"inline_query": inline_query("dry needling", query_id="iq2")})
    [_, listed] = harness.request.sent("answerInlineQuery")
    assert listed["results"] and "button" not in listed


async def test_long_answers_are_split_and_escaped(harness: Harness):
    long_answer = "\n".join(
        f"Point {n}: use <care> & check the payer policy. " * 3 for n in range(120)
    )
    entry = Entry(
        "long", "t", "A long one?", long_answer, (Source("S"),), dt.date(2026, 1, 5), ("long",)
    )
    knowledge = KnowledgeBase((Topic("t", "T"),), (entry,))
    harness.application.bot_data.matcher = Matcher(knowledge)
    sent = await harness.send("/start long")
    assert len(sent) > 1
    visible = [html.unescape(re.sub(r"<[^>]+>", "", s["text"])) for s in sent]
    assert all(len(v) <= 4096 for v in visible)
    assert "\n".join(visible).count("<care>") == 360
    assert all("<care>" not in s["text"] for s in sent)
    assert "Source: S" in sent[-1]["text"]


@pytest.mark.parametrize(
    ("status", "description", "level"),
    [
        (403, "Forbidden: bot was blocked by the user", logging.INFO),
        (400, "Bad Request: chat not found", logging.ERROR),
        pytest.param(
            429, "Too Many Requests: retry after 1", logging.ERROR, marks=pytest.mark.slow
        ),
    ],
)
async def test_api_errors_reach_the_error_handler(
    harness: Harness, caplog, status, description, level
):
    extra = {"retry_after": 1} if status == 429 else {}
    harness.request.failures.permanent["sendMessage"] = error_body(status, description, **extra)
    with caplog.at_level(logging.INFO, logger="bot.handlers.errors"):
        await harness.send("what is a tpi")
    records = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert records and records[-1].levelno == level
    assert "update 1" in records[-1].getMessage()
    harness.request.failures.permanent.clear()
    assert await harness.send("what is a tpi")  # the bot carries on


@pytest.mark.slow  # waits out the real one-second retry_after
async def test_one_429_is_retried_and_the_answer_arrives(harness: Harness, caplog):
    harness.request.failures.queued["sendMessage"] = [
        error_body(429, "Too Many Requests", retry_after=1)
    ]
    with caplog.at_level(logging.INFO, logger="bot.handlers.errors"):
        sent = await harness.send("what is a tpi")
    assert len(sent) == 2  # the refused attempt and the retry
    assert not [r for r in caplog.records if r.name == "bot.handlers.errors"]


@pytest.mark.parametrize(
    "description",
    [
        "Bad Request: query is too old and response timeout expired or query id is invalid",
        "Bad Request: message is not modified",
    ],
)
async def test_stale_query_errors_are_harmless(harness: Harness, caplog, description):
    harness.request.failures.permanent["answerCallbackQuery"] = error_body(400, description)
    with caplog.at_level(logging.INFO, logger="bot.handlers.errors"):
        await harness.process({"callback_query": callback_query("faq:cpt-code")})
    assert not [
        r for r in caplog.records if r.levelno >= logging.INFO and r.name == "bot.handlers.errors"
    ]


async def test_oversized_message_and_inline_query_are_handled(harness: Harness):
    long_message = ("which cpt code for trigger point injections in 3 muscles " * 80)[:4096]
    [sent] = await harness.send(long_message)
    assert "20553" in sent["text"]
    await harness.process({"inline_query": inline_query(("dry needling code " * 20)[:256])})
    [answered] = harness.request.sent("answerInlineQuery")
    assert answered["results"][0]["id"] == "dry-needling"


async def test_a_safety_reply_in_a_group_is_compact(harness: Harness):
    text = "/ask@tpi_faq_bot pt called back with chest pain after TPI, what do we tell her?"
    [sent] = await harness.send(text, chat_type="group")
    assert "Call 911 (or your local emergency number) now" in sent["text"]
    assert "reply_markup" not in sent and sent["reply_parameters"]["message_id"]


async def test_an_inline_code_query_does_not_wait_for_the_code_set(
    harness: Harness, newer_release: CodeSetFiles
):
    # Each keystroke is an inline query: the seconds of parsing the code set are left to
    # the delayed record, which is not waiting for an answer.
    icd10.configure(newer_release)  # not loaded yet
    await harness.process({"inline_query": inline_query("M79.19 for trigger point injections")})
    [answered] = harness.request.sent("answerInlineQuery")
    assert answered["results"]
    assert not icd10.is_loaded()
