"""Property-based tests: no input breaks the matcher, the renderer or the loader."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.knowledge import Entry, KnowledgeBase, KnowledgeError, Source, Topic, load_knowledge
from bot.matching import Matcher, Status
from bot.phrases import PhraseSet
from bot.replies import MESSAGE_LIMIT, entry_reply, render_html, reply_for, telegram_length

TELEGRAM_TAGS = {
    *("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"),
    "blockquote",  # with the attribute "expandable" only (below)
}
NAMED_ENTITIES = ("&lt;", "&gt;", "&amp;", "&quot;")


class TelegramHtml(HTMLParser):
    """Checks what Telegram's HTML parse mode accepts: its tags, balanced; known entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.visible = 0

    def handle_starttag(self, tag, attrs):
        assert tag in TELEGRAM_TAGS, tag
        assert tag != "blockquote" or attrs in ([], [("expandable", None)]), attrs
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, tag

    def handle_data(self, data):
        assert "<" not in data and ">" not in data
        self.visible += telegram_length(data)

    def handle_entityref(self, name):
        assert f"&{name};" in NAMED_ENTITIES, name
        self.visible += 1

    def handle_charref(self, name):
        self.visible += 1


def check_telegram_html(message: str) -> int:
    """Raises AssertionError unless valid; returns the visible length."""
    assert not re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", message), message
    parser = TelegramHtml()
    parser.feed(message)
    parser.close()
    assert not parser.stack
    return parser.visible


any_text = st.text(max_size=10_000)
slow = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@slow
@given(any_text)
def test_matcher_returns_a_valid_result_for_any_text(matcher: Matcher, text: str):
    result = matcher.answer(text)
    assert result.query == text
    scores = [c.score for c in result.candidates]
    assert all(0 <= score <= 100 for score in scores)
    assert scores == sorted(scores, reverse=True)
    if result.status is Status.ANSWER:
        assert (result.entry is None) != (result.icd10 is None)  # an entry or a code-set answer
    assert len(matcher.search(text)) <= 10


@slow
@given(any_text)
def test_every_reply_is_valid_telegram_html_in_chunks_that_fit(matcher: Matcher, text: str):
    for compact in (False, True):
        reply = reply_for(matcher.answer(text), matcher.knowledge, compact=compact)
        for chunk in render_html(reply):
            assert check_telegram_html(chunk) <= MESSAGE_LIMIT


@slow
@given(
    question=st.text(min_size=1, max_size=300),
    answer=st.text(min_size=1, max_size=12_000),
    source=st.text(min_size=1, max_size=200),
)
def test_any_knowledge_text_renders_as_valid_html(question: str, answer: str, source: str):
    entry = Entry(
        "x",
        "t",
        question,
        answer,
        (Source(source, "https://example.org/?q=<&>"),),
        dt.date(2026, 1, 1),
    )
    knowledge = KnowledgeBase((Topic("t", "T"),), (entry,))
    chunks = render_html(entry_reply(entry, knowledge))
    assert all(check_telegram_html(chunk) <= MESSAGE_LIMIT for chunk in chunks)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "topic", "entries", "topics", "answer", "x"])
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@slow
@given(
    st.one_of(
        yaml_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)), st.text(max_size=500)
    )
)
def test_loader_raises_only_its_own_clear_error(content: str):
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "k.yaml").write_text(content, encoding="utf-8")
        try:
            load_knowledge(directory)
        except KnowledgeError as error:
            assert error.problems and all(str(p) for p in error.problems)  # noqa: PT017


def _knowledge_phrases() -> list[str]:
    knowledge = load_knowledge(Path(__file__).parent.parent / "knowledge")
    cues = [cue for point in knowledge.points for cue in point.cues]
    subjects = [phrase for _, phrases in knowledge.other_subjects for phrase in phrases]
    safety = [
        phrase
        for rule in knowledge.safety
        for phrases in (rule.patterns, rule.symptoms, rule.context, rule.reported, rule.unless)
        for phrase in phrases
    ]
    return [*cues, *subjects, *safety, "breath* ... stop*", "m79.1", "20552/20553", "lump sum"]


KNOWLEDGE_PHRASES = _knowledge_phrases()
# Texts made of the phrases' own words (so they match often), other words, and the
# punctuation normalised text keeps inside tokens ("m79.1", "20552/20553").
phrase_text = st.lists(
    st.sampled_from(
        [
            *sorted({w for p in KNOWLEDGE_PHRASES for w in p.replace("*", "").split()}),
            *("a", "the", "breathing", "x.", "/", ".", "ing", "20552", "sum"),
        ]
    ),
    max_size=25,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@example("breathing", ["breath*"])
@example("code x.m79.1", ["m79.1"])
@example("a lump sum", ["swelling", "lump sum"])
@given(phrase_text, st.lists(st.sampled_from(KNOWLEDGE_PHRASES), min_size=1, max_size=6))
def test_a_phrase_set_finds_what_its_expression_finds(text: str, phrases: list[str]):
    """PhraseSet skips its expression when no phrase's first word is in the text: that
    must never change what it finds."""
    found = PhraseSet(phrases)
    pattern = found._pattern
    assert pattern is not None
    assert found.spans(text) == [match.span() for match in pattern.finditer(text)]
    first = pattern.search(text)
    assert found.search(text) == (first.group(0) if first else None)
    assert found.remove(text) == pattern.sub(" ", text)
