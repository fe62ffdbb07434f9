"""Button callback data: what replies write is what the handlers and the console read back."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.callbackdata import (
    TOPICS_DATA,
    VOTE_PATTERN,
    ButtonData,
    Kind,
    faq_data,
    parse,
    topic_data,
    vote_data,
)
from bot.knowledge import ID_PATTERN

ids = st.from_regex(ID_PATTERN, fullmatch=True)
few = settings(max_examples=40)


@few
@given(ids)
def test_faq_and_topic_data_read_back_and_fit_telegrams_64_bytes(entry_id: str):
    assert parse(faq_data(entry_id)) == ButtonData(Kind.FAQ, entry_id)
    assert parse(topic_data(entry_id)) == ButtonData(Kind.TOPIC, entry_id)
    assert len(vote_data(entry_id, helpful=False).encode()) <= 64


@few
@given(ids, st.booleans())
def test_votes_read_back_and_match_the_handlers_pattern(entry_id: str, helpful: bool):
    data = vote_data(entry_id, helpful=helpful)
    assert re.match(VOTE_PATTERN, data)
    assert parse(data) == ButtonData(Kind.VOTE, entry_id, helpful)


def test_the_topics_button_and_foreign_data():
    assert parse(TOPICS_DATA) == ButtonData(Kind.TOPICS)
    for foreign in ("", "faq:", "topic:", "vote:x", "vote:x:2", "topics:x", "other:x", "faq"):
        assert parse(foreign) is None, foreign
