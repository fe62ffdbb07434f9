"""Button callback data: what replies write is what the handlers and the console read back."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.callbackdata import (
    MAX_BYTES,
    TEACH_PATTERN,
    TEACH_PREFIX,
    TOPICS_DATA,
    VOTE_PATTERN,
    ButtonData,
    Kind,
    TeachButton,
    faq_data,
    parse,
    parse_teach,
    teach_data,
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


@few
@given(ids, st.booleans(), st.integers(min_value=1, max_value=10**18 - 1))
def test_votes_name_their_question_row_where_it_fits(entry_id: str, helpful: bool, row: int):
    data = vote_data(entry_id, helpful=helpful, question_row=row)
    assert len(data.encode()) <= 64 and re.match(VOTE_PATTERN, data)
    named = row if data.endswith(f":{row}") else None
    assert parse(data) == ButtonData(Kind.VOTE, entry_id, helpful, named)
    assert named == row or len(entry_id) > 20  # only long ids leave the row out


@few
@given(
    ids, st.integers(min_value=1, max_value=10**12), st.from_regex(r"[0-9a-f]{8}", fullmatch=True)
)
def test_teach_data_reads_back_or_is_refused_over_64_bytes(entry_id: str, row: int, fp: str):
    data = teach_data("y", row, entry_id, fp)
    # A long id with a huge log row would not fit Telegram's 64 bytes: no button then.
    if len(f"{TEACH_PREFIX}:y:{row}:{entry_id}:{fp}".encode()) > MAX_BYTES:
        assert data is None
    else:
        assert data is not None and re.match(TEACH_PATTERN, data)
        assert parse_teach(data) == TeachButton("y", row, entry_id, fp)
    assert parse_teach(teach_data("i", row) or "") == TeachButton("i", row, None, None)


def test_teach_data_fits_every_shipped_entry_for_a_billion_log_rows(knowledge):
    for entry in knowledge.entries:
        data = teach_data("y", 10**9, entry.id, "0123abcd")
        assert data is not None and parse_teach(data) is not None, entry.id


def test_forged_teach_data_is_refused():
    for forged in (
        "tc:y:1:x:zz",
        "tc:y:1:x",
        "tc:q:1",
        "tc:i:x",
        "tc:n:1",
        "faq:x",
        "tc:a:1:Bad:0123abcd",
    ):
        assert parse_teach(forged) is None, forged
    assert teach_data("y", 1, "x" * 60, "0123abcd") is None  # over 64 bytes: no button
