"""Private chats: questions, commands, deep links, non-text messages, edits."""

from __future__ import annotations

import pytest

from bot import icd10
from bot.knowledge import KnowledgeBase
from tests.handlers.conftest import Harness


async def test_question_gets_bold_question_answer_sources_and_related_buttons(harness: Harness):
    [sent] = await harness.send("which cpt code for tpi in 3 muscles")
    assert sent["parse_mode"] == "HTML"
    assert sent["text"].startswith("<b>What is the CPT code for trigger point injections?</b>")
    assert '<a href="https://aapc.com/' in sent["text"] and "20553" in sent["text"]
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in rows[:-1]] == [
        "faq:billing-units",
        "faq:modifiers",
        "faq:drug-billing",
    ]
    assert [b["callback_data"] for b in rows[-1]] == ["vote:cpt-code:1", "vote:cpt-code:0"]
    assert "reply_parameters" not in sent  # no quoting in private chats


async def test_an_answer_for_staff_folds_its_full_text_under_plain_words(harness: Harness):
    [sent] = await harness.send("does my insurance cover trigger point injections")
    assert sent["text"].startswith("Often, when your plan's rules are met.")
    plain, folded = sent["text"].split("<blockquote expandable>")
    assert "ask your plan whether it covers" in plain and "LCD" not in plain
    assert folded.startswith("For billing staff: Does insurance cover trigger point injections?")
    assert "Novitas (L35010)" in folded and folded.count("</blockquote>") == 1


async def test_suggest_offers_candidates_and_none_of_these(harness: Harness):
    [sent] = await harness.send("billing")
    assert "Did you mean" in sent["text"]
    data = [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert data[-1] == "topics" and all(d.startswith("faq:") for d in data[:-1])


async def test_not_covered_apologises_with_topic_buttons(
    harness: Harness, knowledge: KnowledgeBase
):
    [sent] = await harness.send("symptoms of covid")
    assert sent["text"].startswith("Sorry")
    data = [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert data == [f"topic:{topic.id}" for topic in knowledge.topics]


async def test_smalltalk_gets_a_short_reply(harness: Harness):
    [sent] = await harness.send("thanks!")
    assert sent["text"].startswith("You're welcome") and "reply_markup" not in sent


async def test_hostile_input_is_never_echoed_unescaped(harness: Harness):
    replies = []
    for text in ("<b>bold</b> & <script>alert(1)</script>", "J9999 <i>", "&amp; 20552 <"):
        [sent] = await harness.send(text)
        assert "<script>" not in sent["text"] and "<i>" not in sent["text"]
        replies.append(sent["text"])
    assert "no information about J9999" in replies[1]


async def test_start_has_welcome_and_disclaimer(harness: Harness):
    [sent] = await harness.send("/start")
    assert "trigger point injections" in sent["text"]
    assert "not medical or billing advice" in sent["text"]


# Stop words alone too: "ok" and "lol" got three suggestions at score 100, "the" the
# answer to what a trigger point injection is.
@pytest.mark.parametrize("nothing", ["🙂", "?!?", "...", "ok", "lol", "the"])
async def test_a_message_that_asks_nothing_gets_how_to_ask(harness: Harness, nothing: str):
    # It got "Sorry, I don't have an answer to that" and the topic buttons.
    [sent] = await harness.send(nothing)
    assert sent["text"].startswith("Ask me a question about trigger point injections")
    assert "reply_markup" not in sent


PHOTO = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]


async def test_a_photo_with_a_caption_is_answered_by_its_caption(harness: Harness):
    # It got "I answer text questions only".
    caption = {
        "photo": PHOTO,
        "caption": "what cpt code for trigger point injections in 3 muscles",
    }
    [sent] = await harness.send(None, extra=caption)
    assert sent["text"].startswith("I can't see pictures or files")
    assert "<b>What is the CPT code for trigger point injections?</b>" in sent["text"]
    [bare] = await harness.send(None, extra={"photo": PHOTO})
    assert bare["text"].startswith("I answer text questions")


async def test_start_deep_link_opens_the_answer(harness: Harness):
    [sent] = await harness.send("/start dry-needling")
    assert sent["text"].startswith("<b>Which CPT code is used for dry needling?</b>")
    # A link to an entry since removed says so; the inline button's link is a plain start.
    [gone] = await harness.send("/start no-such-entry")
    assert gone["text"].startswith("The answer that link pointed to is no longer available.")
    [plain] = await harness.send("/start inline")
    assert plain["text"].startswith("Hi!")


async def test_help_lists_commands_groups_inline_and_disclaimer(harness: Harness):
    [sent] = await harness.send("/help")
    for needed in ("/topics", "/ask", "group", "inline", "not medical or billing advice"):
        assert needed in sent["text"]
    # The handle to type for inline mode, not "my @username".
    assert "type @tpi_faq_bot and a question" in sent["text"]


async def test_ask_alone_explains_usage_and_ask_answers(harness: Harness):
    [usage] = await harness.send("/ask")
    assert "after the command" in usage["text"]
    [answer] = await harness.send("/ask J3301 units for 40 mg")
    assert "J3301" in answer["text"]


async def test_topics_shows_topic_buttons(harness: Harness):
    [sent] = await harness.send("/topics")
    data = [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert data == [
        "topic:coding",
        "topic:coverage",
        "topic:drugs",
        "topic:procedure",
        "topic:symptoms",
        "topic:diagnosis",
        "topic:treatment",
        "topic:conditions",
    ]


async def test_unknown_command_in_private_gets_help(harness: Harness):
    [sent] = await harness.send("/frobnicate")
    assert "/topics" in sent["text"]


async def test_non_text_messages_get_one_line(harness: Harness):
    sticker = {
        "sticker": {
            "file_id": "x",
            "file_unique_id": "y",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    }
    [sent] = await harness.send(None, extra=sticker)
    assert sent["text"].startswith("I answer text questions")


async def test_edited_message_does_not_answer_again(harness: Harness):
    before = len(harness.request.sent())
    message = harness.message("what is a tpi")
    message["edit_date"] = 1
    await harness.process({"edited_message": message})
    assert len(harness.request.sent()) == before


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
async def test_a_diagnosis_code_question_gets_the_code_set_answer(harness: Harness):
    [sent] = await harness.send("is M79.1 billable for a tpi?")
    assert sent["parse_mode"] == "HTML"
    assert sent["text"].startswith("<b>ICD-10-CM M79.1</b>\n\nM79.1 – Myalgia: a header")
    assert "M79.18 Myalgia, other site" in sent["text"]
    assert "Code set: ICD-10-CM, April 2026 tabular." in sent["text"]
    assert '<a href="https://www.cms.gov/medicare-coverage-database/' in sent["text"]
    data = [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert data and all(d.startswith("faq:") for d in data)  # the entry listing the code


async def test_the_first_code_question_shows_typing_while_the_code_set_loads(
    harness: Harness, newer_release
):
    # It took seconds with nothing shown.
    icd10.configure(newer_release)  # not loaded yet
    await harness.send("is M79.10 billable for a tpi")
    [typing] = harness.request.sent("sendChatAction")
    assert typing["action"] == "typing"
    await harness.send("is M79.10 billable for a tpi")  # loaded now: no second one
    assert len(harness.request.sent("sendChatAction")) == 1


async def test_an_emergency_gets_the_safety_reply_and_a_button_to_side_effects(harness: Harness):
    [sent] = await harness.send("I can't breathe since my trigger point shot this morning")
    assert sent["text"].startswith("Chest pain, trouble breathing or shortness of breath")
    assert "Call 911 (or your local emergency number) now" in sent["text"]
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in rows for b in row] == ["faq:side-effects"]


async def test_a_question_in_another_language_says_english_only(harness: Harness):
    [sent] = await harness.send("¿Cuánto cuesta una inyección en punto gatillo?")
    assert sent["text"].startswith("Sorry, I can only read questions in English.")
    assert "solo entiendo preguntas en inglés" in sent["text"]
    data = [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert data and all(d.startswith("topic:") for d in data)
