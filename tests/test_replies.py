"""Rendering: escaping, sources, options, and splitting long replies outside tags."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from bot.knowledge import Entry, KnowledgeBase, Source, Topic
from bot.matching import Matcher, Status
from bot.replies import (
    MESSAGE_LIMIT,
    SHORTER_HINT,
    entry_reply,
    one_message_reply,
    render_html,
    render_plain,
    reply_for,
    reply_for_data,
    split_text,
    telegram_length,
)

ALLOWED_TAGS = {"b", "a", "blockquote"}


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        assert tag in ALLOWED_TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag

    def handle_data(self, data):
        self.text += data


def visible_text(message: str) -> str:
    """The text Telegram shows; fails on unknown or unbalanced tags."""
    checker = _TagChecker()
    checker.feed(message)
    checker.close()
    assert not checker.stack
    assert not re.search(r"<(?!/?(b|a|blockquote)\b)", message)
    return checker.text


def hostile_knowledge(answer: str) -> KnowledgeBase:
    entry = Entry(
        id="x",
        topic="t",
        question="Is <b>bold</b> & <script>alert(1)</script> safe?",
        answer=answer,
        sources=(Source('AMA "quoted" <i>', "https://example.org/?a=1&b=<2>"),),
        reviewed=dt.date(2026, 3, 1),
    )
    return KnowledgeBase(topics=(Topic("t", "T & <t>"),), entries=(entry,))


def test_html_escapes_every_piece_of_text():
    knowledge = hostile_knowledge("Use <script>x</script> & more")
    [message] = render_html(entry_reply(knowledge.entries[0], knowledge))
    assert "<script>" not in message and "<i>" not in message
    assert "&lt;script&gt;" in message and "&amp;" in message
    assert 'href="https://example.org/?a=1&amp;b=&lt;2&gt;"' in message
    assert "Use <script>x</script> & more" in visible_text(message)


def test_answer_shows_question_answer_and_linked_sources(matcher: Matcher, knowledge):
    reply = reply_for(matcher.answer("what is cpt 20553"), knowledge)
    [message] = render_html(reply)
    assert message.startswith("<b>What is the CPT code for trigger point injections?</b>")
    assert '<a href="https://aapc.com/' in message
    assert [o.data for o in reply.options] == [
        "faq:billing-units",
        "faq:modifiers",
        "faq:drug-billing",
    ]
    plain = render_plain(reply)
    assert "Sources: American Medical Association (owner of CPT); AAPC" in plain
    assert "  1. How many units" in plain


def test_long_answers_split_between_paragraphs_within_the_limit():
    paragraphs = "\n".join(f"Line {n} <with> & markup " + "x" * 90 for n in range(200))
    knowledge = hostile_knowledge(paragraphs)
    messages = render_html(entry_reply(knowledge.entries[0], knowledge))
    assert len(messages) > 1
    shown = [visible_text(m) for m in messages]
    assert all(telegram_length(s) <= MESSAGE_LIMIT for s in shown)
    joined = "\n".join(shown)
    assert all(f"Line {n} <with> & markup" in joined for n in range(200))
    assert "Source: AMA" in shown[-1] and shown[-1].endswith("Reviewed March 2026")


def test_an_answer_for_staff_shows_a_patient_its_plain_words_first(matcher: Matcher, knowledge):
    # "Will Medicare pay for my shots" got LCD numbers, GA/GZ modifiers and the ABN form.
    entry = knowledge.entry("medicare-limits")
    asked = matcher.answer("will medicare pay for my trigger point shots")
    [message] = render_html(reply_for(asked, knowledge))
    plain_at = message.index(entry.patient_answer.split("\n")[0])
    # The staff question heads the fold, not the reply.
    assert plain_at == 0 and "<b>" not in message[: message.index("<blockquote")]
    assert f"<blockquote expandable>For billing staff: {entry.question}" in message
    shown = visible_text(message)
    assert entry.patient_answer in shown and entry.answer in shown  # the full one folded
    # Asked in billing words, or in a group (staff's quick reference): in full, unfolded.
    billing = reply_for(matcher.answer("medicare frequency limit for 20553"), knowledge)
    group = reply_for(asked, knowledge, compact=True)
    for reply in (billing, group):
        [full] = render_html(reply)
        assert entry.answer in visible_text(full)
        assert entry.patient_answer not in visible_text(full) and "blockquote" not in full


@pytest.mark.parametrize(
    ("question", "in_full"),
    [
        # A staff probe's shorthand got the patient's plain words first.
        ("ICD10 for myofascial pain in the neck?", True),
        ("do commercial payers cover trigger point injections", True),
        ("will medicare pay for my trigger point shots", False),
        # The 10 of ICD-10 is not a billing word.
        ("im 10 weeks pregnant, will insurance cover a trigger point injection", False),
    ],
)
def test_staff_words_show_the_full_answer(matcher: Matcher, question: str, in_full: bool):
    result = matcher.answer(question)
    assert result.entry is not None and result.entry.patient_answer
    assert result.asks_billing is in_full


def test_plain_words_for_a_patient_come_with_buttons_for_a_patient(matcher: Matcher, knowledge):
    # A probe's caregiver got "Our TPI was denied ... how do we appeal?" as a button.
    plain = reply_for(
        matcher.answer("is dry needling the same as a trigger point injection"), knowledge
    )
    assert [o.data for o in plain.options] == ["faq:what-is-tpi"]  # who-can-bill is for staff
    staff = {t.id for t in knowledge.topics if t.for_staff}
    asked = matcher.answer("will medicare pay for my trigger point shots")
    assert all(knowledge.entry(i).topic in staff for i in asked.entry.related)
    assert not reply_for(asked, knowledge).options
    # Asked in billing words, the entry's own related questions are the buttons.
    billing = reply_for(matcher.answer("medicare frequency limit for 20553"), knowledge)
    assert [o.data for o in billing.options] == [f"faq:{i}" for i in asked.entry.related]


def test_every_patient_answer_states_only_what_its_answer_states(knowledge):
    # The plain words restate facts for patients; a number they give must be in the full
    # answer (the facts files back the full answer, entry by entry).
    for entry in knowledge.entries:
        if entry.patient_answer:
            for number in re.findall(r"\d+", entry.patient_answer):
                assert number in entry.answer, (entry.id, number)


def test_a_long_folded_answer_is_split_into_folded_pieces():
    knowledge = hostile_knowledge(
        "\n".join(f"Line {n} <with> & markup " + "x" * 90 for n in range(60))
    )
    entry = dataclasses.replace(knowledge.entries[0], patient_answer="Ask your plan & clinic.")
    messages = render_html(entry_reply(entry, knowledge))
    assert len(messages) > 1 and all(m.count("<blockquote expandable>") <= 1 for m in messages)
    shown = "\n".join(visible_text(m) for m in messages)  # each message's tags balanced
    assert shown.index("Ask your plan & clinic.") < shown.index("Line 0 <with>")
    # The heading of the folded part never ends a message without it.
    heading = f"For billing staff: {entry.question}"
    assert not any(visible_text(m).rstrip().endswith(heading) for m in messages)
    assert all(f"Line {n} <with> & markup" in shown for n in range(60))


def test_split_text_handles_emoji_and_unbroken_text():
    pieces = split_text("🙂" * 5000, 4096)
    assert all(telegram_length(p) <= 4096 for p in pieces)
    assert "".join(pieces) == "🙂" * 5000


def test_suggest_offers_a_way_out(matcher: Matcher, knowledge):
    result = matcher.answer("billing")
    assert result.status is Status.SUGGEST
    reply = reply_for(result, knowledge)
    assert reply.options[-1].data == "topics"
    assert all(len(o.data.encode()) <= 64 for o in reply.options)


def test_a_suggestion_for_another_subject_says_what_the_answers_are_about(
    matcher: Matcher, knowledge
):
    result = matcher.answer("how do I appeal a denied MRI claim")
    assert result.status is Status.SUGGEST and result.other_subjects == ("mri",)
    plain = render_plain(reply_for(result, knowledge))
    assert plain.startswith("My answers on this are about trigger point injections, not MRI.")
    # The usual lead otherwise.
    assert "Did you mean" in render_plain(reply_for(matcher.answer("billing"), knowledge))


def test_a_point_no_entry_answers_is_named_in_the_reply(matcher: Matcher, knowledge):
    result = matcher.answer("How long does it take for trigger point injections to work?")
    assert result.unanswered_points == ("how soon an injection starts to work",)
    plain = render_plain(reply_for(result, knowledge))
    assert plain.startswith(
        "Sorry, I have no answer on how soon an injection starts to work."
        " These are the topics I can answer:"
    )
    # Suggestions say it too.
    suggested = dataclasses.replace(matcher.answer("billing"), unanswered_points=("the cure",))
    assert render_plain(reply_for(suggested, knowledge)).startswith(
        "I have no answer on the cure. The closest I have:"
    )
    # Two of them, each of which may say "or" itself.
    both = dataclasses.replace(result, unanswered_points=("whether A or B", "how soon C"))
    assert render_plain(reply_for(both, knowledge)).startswith(
        "Sorry, I have no answer on whether A or B, nor on how soon C."
    )
    # An unknown code or another subject is the reason given first.
    coded = dataclasses.replace(result, unknown_codes=("27447",))
    assert render_plain(reply_for(coded, knowledge)).startswith(
        "Sorry, I have no information about 27447."
    )
    # A point that entries answer is not named.
    assert matcher.answer("How long does the relief last?").unanswered_points == ()


def test_none_offers_topics_and_names_unknown_codes(matcher: Matcher, knowledge):
    reply = reply_for(matcher.answer("CPT 27447"), knowledge)
    assert "no information about 27447" in render_plain(reply)
    assert [o.data for o in reply.options] == [f"topic:{t.id}" for t in knowledge.topics]


def test_a_long_unanswered_message_is_told_to_ask_the_question_alone(matcher: Matcher, knowledge):
    story = (
        "Our office manager asked me to look into something for the front desk this week."
        " We keep getting calls from people about the parking garage next to our building"
        " and the elevator that has been out of order since Monday."
    )
    long_one = matcher.answer(f"{story} What should we tell them about the parking?")
    short_one = matcher.answer("What should we tell them about the parking?")
    assert long_one.status is Status.NONE and short_one.status is Status.NONE
    assert SHORTER_HINT in render_plain(reply_for(long_one, knowledge))
    assert SHORTER_HINT not in render_plain(reply_for(short_one, knowledge))
    assert "Pick a topic:" in render_plain(reply_for(short_one, knowledge))
    # Shortening cannot help when the bot has nothing on a code or subject it names.
    unknown_code = matcher.answer(f"{story} What is CPT 27447?")
    assert unknown_code.status is Status.NONE and unknown_code.unknown_codes
    assert SHORTER_HINT not in render_plain(reply_for(unknown_code, knowledge))


def test_callback_data_resolves_or_returns_none(knowledge):
    assert reply_for_data("faq:cpt-code", knowledge) is not None
    assert reply_for_data("topic:coding", knowledge) is not None
    assert reply_for_data("faq:deleted-entry", knowledge) is None
    assert reply_for_data("garbage", knowledge) is None


def test_one_message_reply_keeps_sources_and_links_the_full_answer():
    answer = "\n".join(f"Step {n}: inject, then <check> the payer rules." * 4 for n in range(60))
    sources = (Source("CMS manual", "https://www.cms.gov/x"), Source("AAPC"))
    entry = Entry("long", "t", "A long one?", answer, sources, dt.date(2026, 3, 1), ("x",))
    knowledge = KnowledgeBase((Topic("t", "T"),), (entry,))
    url = "https://t.me/tpi_faq_bot?start=long"
    [message] = render_html(one_message_reply(entry, knowledge, url))
    checker = _TagChecker()
    checker.feed(message)
    assert telegram_length(checker.text) <= MESSAGE_LIMIT
    assert message.startswith("<b>A long one?</b>\n\nStep 0: inject, then &lt;check&gt;")
    assert f'<a href="{url}">Read the full answer</a>' in message
    assert '<a href="https://www.cms.gov/x">CMS manual</a>; AAPC' in message
    assert message.endswith("Reviewed March 2026")
    assert "Step 59" not in message  # the middle and end of the answer are left out
    short = Entry("short", "t", "Short?", "Yes.", sources, dt.date(2026, 3, 1), ("x",))
    assert one_message_reply(short, knowledge, url) == entry_reply(short, knowledge, compact=True)
