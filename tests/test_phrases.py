"""Phrase sets: whole words, `word*`, `...` gaps, which phrase wins where two start, and
`<group>` names written out."""

from __future__ import annotations

import re

import pytest

from bot.phrases import PhraseSet, UnknownGroupError, expand
from bot.text import normalise

TEXT = normalise("why won't my knots go away")  # "why will not my knots go away"


def test_the_longest_phrase_at_a_word_wins_when_asked_for():
    phrases = ["why won't", "why ... not ... go away"]
    assert PhraseSet(phrases, longest_first=True).spans(TEXT) == [(0, len(TEXT))]


def test_otherwise_the_phrase_listed_first_wins():
    # The safety rules rely on their own order ("unless" phrases are blanked out).
    found = PhraseSet(["why won't", "why ... not ... go away"]).spans(TEXT)
    assert found[0] == (0, len("why will not"))


def test_phrases_match_whole_words_with_stars_and_gaps():
    phrases = PhraseSet(["short* ... breath*"])
    assert phrases.search(normalise("shortness of breath")) == "shortness of breath"
    assert phrases.search(normalise("a short breather")) == "short breather"
    assert phrases.search(normalise("shortbread")) is None


def test_phrases_are_tried_in_the_listed_order_though_they_share_a_first_word():
    # Phrases that start with "ab" are tried together; "a* c" comes between two of them,
    # so the second "ab" phrase is still tried after it, as listed.
    found = PhraseSet(["ab q", "a* c", "ab c d"]).spans("ab c d")
    assert found == [(0, len("ab c"))]
    assert PhraseSet(["ab q", "ab c d", "a* c"]).spans("ab c d") == [(0, len("ab c d"))]
    assert PhraseSet(["how", "how long ... last*"], longest_first=True).search(
        "how long does it last"
    ) == ("how long does it last")


GROUPS = {
    "injection": ("inject*", "shot*"),
    "a": ("the", "my"),
    "the injection": ("<injection>", "<a> <injection>"),
    "loop": ("<loop> again",),
}


def test_a_group_in_angle_brackets_stands_for_each_of_its_phrases():
    assert expand("would <injection> help", GROUPS) == ("would inject* help", "would shot* help")
    # Groups inside groups, and two groups in one phrase: every combination, in order.
    assert expand("<the injection> help", GROUPS) == (
        "inject* help",
        "shot* help",
        "the inject* help",
        "the shot* help",
        "my inject* help",
        "my shot* help",
    )
    assert expand("after <a> <injection>", GROUPS) == (
        "after the inject*",
        "after the shot*",
        "after my inject*",
        "after my shot*",
    )
    assert expand("does it help", GROUPS) == ("does it help",)


def test_the_expanded_phrases_match_what_the_group_names():
    phrases = PhraseSet(expand("would <the injection> help", GROUPS))
    assert phrases.search(normalise("Would my shots help?")) == "would my shots help"
    assert phrases.search(normalise("would the doctor help")) is None


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [("would <shots> help", "unknown group <shots>"), ("<loop>", "does <loop> name itself")],
)
def test_an_unknown_or_circular_group_is_an_error_that_names_it(phrase: str, problem: str):
    with pytest.raises(UnknownGroupError, match=re.escape(problem)):
        expand(phrase, GROUPS)
