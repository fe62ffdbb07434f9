"""Described cases in Telegram: the count and code, compact in groups, buttons in private."""

from __future__ import annotations

import pytest

from tests.fakes import inline_query
from tests.handlers.conftest import Harness

CASE = "TPI to the L upper trap, R SCM & both rhomboids <b>x6</b>, what code?"


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_ask_at_bot_gets_the_compact_case_reply(harness: Harness, chat_type: str):
    [sent] = await harness.send(f"/ask@tpi_faq_bot {CASE}", chat_type=chat_type)
    text = sent["text"]
    assert text.startswith("<b>Coding this case: 20553 x 1</b>")
    assert "You named 4 muscles: left trapezius, right sternocleidomastoid" in text
    assert "Sources: <a" in text and "AAPC, Part B Coding Alert" in text
    assert "reply_markup" not in sent  # compact: no related buttons
    assert "message_id" in sent["reply_parameters"]


async def test_private_case_reply_offers_the_related_entries(harness: Harness):
    [sent] = await harness.send(CASE)
    assert "20553" in sent["text"] and "<b>x6</b>" not in sent["text"]
    buttons = [b["callback_data"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]
    assert "faq:billing-units" in buttons and "faq:modifiers" in buttons
    assert "faq:documentation" in buttons


async def test_inline_query_offers_the_counted_case_first(harness: Harness):
    await harness.process({"inline_query": inline_query("tpi both traps and left QL, code?")})
    [answered] = harness.request.sent("answerInlineQuery")
    first = answered["results"][0]
    assert first["title"] == "Coding this case: 20553 x 1"
    message = first["input_message_content"]["message_text"]
    assert "left quadratus lumborum" in message and "AAPC, Part B Coding Alert" in message
    assert len({r["id"] for r in answered["results"]}) == len(answered["results"]) <= 10
