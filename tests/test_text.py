"""Reading a message: its sentences, which of them ask, and its words."""

from __future__ import annotations

from pathlib import Path

import snowballstemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from bot.text import (
    asks_a_question,
    focus_sentences,
    says_nothing,
    stemmer_version,
    tokenise,
    without_courtesy,
)

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

STORY = (
    "We recently hired a nurse practitioner and have never had an NP on staff before. "
    "We are looking into how we can bill incident-to services for her work."
)


def test_the_asking_sentences_are_the_focus_and_the_story_is_not():
    sentences = focus_sentences(STORY + " Can an NP bill incident-to for a new patient?")
    assert [asks for _, asks in sentences] == [False, False, True]


def test_a_question_ending_in_that_keeps_the_clause_it_points_back_to():
    infection = "My friend got an infection from a TPI, how common is that?"
    assert focus_sentences(infection) == [(infection, True)]
    # A short question after a comma stays apart: "..., what code?" is answered by the
    # code entries, whatever the clause before says (a review's).
    assert len(focus_sentences("Trigger point injection for a headache, what code?")) == 2
    # A choice among what the clause named: "which one", "which is better".
    for choice in ("M79.18 vs M62.838, which one for TPIs?", "DN or TPI, which is better?"):
        assert focus_sentences(choice) == [(choice, True)]
    assert len(focus_sentences("My neck hurts, which doctor gives TPIs?")) == 2


def test_thanks_and_question_openers_are_left_out():
    assert without_courtesy(
        "Thank you for your help earlier. One more question please: how should I prepare?"
    ).split() == ["thanks.", ":", "how", "should", "I", "prepare?"]
    # Thanks are read as "thanks" (small talk); an opener alone stays whole.
    assert without_courtesy("Thank you for your help!") == "thanks!"
    assert without_courtesy("I have a question.") == "I have a question."
    assert without_courtesy("Thanks in advance! Is 20552 per muscle?") == (
        "thanks! Is 20552 per muscle?"
    )
    # "question" that is what is asked stays.
    kept = "what question does the doctor ask?"
    assert without_courtesy(kept) == kept


def test_contractions_of_pronouns_are_stop_words():
    # "She's" had counted as an unknown word, "shes", against every entry.
    assert all(says_nothing(word) for word in ("She's", "he's", "who's", "you'll", "it'll"))


def test_a_message_that_asks_nothing_is_all_focus():
    sentences = focus_sentences("tpi both sides. modifier 50")
    assert [asks for _, asks in sentences] == [True, True]


def test_a_request_that_names_nothing_makes_the_story_the_focus():
    # "Can you advise?" asks about the story before it.
    for request in (
        "Can you advise?",
        "Any thoughts? Thank you!",
        "Please advise.",
        "What is my next step?",
        "Is this correct?",
    ):
        sentences = focus_sentences(f"{STORY} {request}")
        story_and_request = [asks for text, asks in sentences if text != "Thank you!"]
        assert all(story_and_request), request


def test_an_opener_that_neither_asks_nor_names_anything_is_not_the_focus():
    # A colon ends a sentence: "Quick question:" is an opener of its own.
    sentences = focus_sentences("Hello! Quick question: tpi cpt")
    assert sentences == [("Hello!", False), ("Quick question:", False), ("tpi cpt", True)]
    # Thanks after the question: the question alone is the focus.
    assert focus_sentences("tpi both sides modifier 50. Thanks!") == [
        ("tpi both sides modifier 50.", True),
        ("Thanks!", False),
    ]
    # Commas and a dash after openers too; a clause that names something stays.
    assert [asks for _, asks in focus_sentences("Hello, quick question, what cpt for tpi")] == [
        False,
        False,
        True,
    ]
    assert focus_sentences("Quick question - what cpt for tpi")[1] == ("what cpt for tpi", True)
    assert len(focus_sentences("I am pregnant, is it safe?")) == 1
    assert len(focus_sentences("20552 - 20553 difference?")) == 1
    # A label that names something stays with its question.
    assert focus_sentences("Medicare: is 20553 covered?") == [
        ("Medicare: is 20553 covered?", True)
    ]
    # A colon inside a code or a time is no sentence end.
    assert len(focus_sentences("Is M79.18 right at 10:30 for this?")) == 1


def test_a_question_about_it_keeps_the_story_out_of_the_focus():
    # "it" is the EMG; the reader looks it up in the story (bot.query).
    sentences = focus_sentences("My doctor ordered an EMG. What is it and what can I expect?")
    assert [asks for _, asks in sentences] == [False, True]


def test_a_question_after_a_comma_is_the_focus_and_the_clause_before_is_story():
    sentences = focus_sentences(
        "My neck has been killing me for weeks, could trigger point injections help?"
    )
    assert sentences == [
        ("My neck has been killing me for weeks", False),
        ("could trigger point injections help?", True),
    ]
    assert [text for text, _ in focus_sentences("My neck hurts, isn't a TPI the answer?")] == [
        "My neck hurts",
        "isn't a TPI the answer?",
    ]
    # "it" after a word the question names itself refers to that, not to the clause before.
    story, question = "my therapist says I have knots", "what is a trigger point and is it a knot?"
    assert focus_sentences(f"{story}, {question}") == [(story, False), (question, True)]
    # Kept whole: a list of questions, a comma inside the question, no question mark, a
    # question about the clause before it, and a condition of the question.
    for kept in (
        "What is 20552, and can I bill it twice?",
        "Which code, 20552 or 20553, for three muscles?",
        "after the shot, can i drive home.",
        "I am pregnant, is it safe?",
        "I'm on Medicare, how often can I get them?",
        "The patient had chest pain after the injection, is that normal?",
        "If the doctor injects 3 muscles, can we bill 20553?",
        "For a patient with fibromyalgia, are trigger point injections effective?",
    ):
        assert focus_sentences(kept) == [(kept, True)], kept
        assert asks_a_question(kept) is kept.endswith("?"), kept


def test_negated_contractions_keep_their_not():
    assert tokenise("Who shouldn't get it?") == ["who", "should", "not", "get", "it"]
    assert tokenise("I can't, it won't; it isn’t") == [
        *("i", "can", "not", "it", "will", "not", "it", "is", "not"),
    ]
    # Other words ending in -nt are left alone.
    assert tokenise("patient consent") == ["patient", "consent"]


def test_texting_spellings_are_spelled_out():
    assert tokenise("wat is the code, hw do u bill it b4 ur visit") == [
        *("what", "is", "the", "code", "how", "do", "you", "bill", "it", "before", "your"),
        "visit",
    ]


def test_a_possessive_is_dropped_and_is_contractions_stay():
    assert tokenise("Medicare Part B's policy, the doctor’s note") == [
        *("medicare", "part", "b", "policy", "the", "doctor", "note"),
    ]
    assert tokenise("what's in it? it's fine") == ["whats", "in", "it", "its", "fine"]


def test_the_c_stemmer_is_used_and_stems_as_the_pure_python_snowball() -> None:
    # A release of PyStemmer with another version of the English algorithm would change
    # every compiled text; then, that it is what snowballstemmer runs (a dependency).
    words = sorted(
        {word for path in KNOWLEDGE.glob("*.yaml") for word in tokenise(path.read_text("utf-8"))}
    )
    assert len(words) > 2000
    used, pure = snowballstemmer.stemmer("english"), EnglishStemmer()
    assert [used.stemWord(word) for word in words] == [pure.stemWord(word) for word in words]
    assert stemmer_version().startswith("PyStemmer ")
