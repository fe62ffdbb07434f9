"""Answers about ICD-10-CM codes asked in a TPI context, from the code set and the TPI list."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.icd10_answers import MAX_ASKED_CODES
from bot.knowledge import KnowledgeBase
from bot.matching import Matcher, Result, Status
from bot.replies import render_html, render_plain, reply_for
from bot.text import tokenise

# Each module loads the ICD-10-CM code set (several seconds): not in the fast loop.
pytestmark = pytest.mark.slow

RELEASE = "ICD-10-CM, April 2026 tabular"


def code_answer(matcher: Matcher, question: str) -> Result:
    result = matcher.answer(question)
    assert result.status is Status.ANSWER, question
    assert result.icd10 is not None, question
    return result


def answer_text(result: Result) -> str:
    assert result.icd10 is not None
    return "\n".join(result.icd10.paragraphs)


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
def test_a_header_is_named_as_a_header_with_its_billable_codes(matcher: Matcher):
    result = code_answer(matcher, "is M79.1 billable?")
    assert result.icd10 is not None
    (finding,) = result.icd10.findings
    assert finding.info.code == "M79.1" and not finding.info.billable
    text = answer_text(result)
    assert "M79.1 – Myalgia: a header, not billable." in text
    for code in ("M79.10", "M79.11", "M79.12", "M79.18"):
        assert code in text
    assert "Myofascial pain syndrome" in text  # the inclusion term
    assert "all billable codes under M79.1 are on it" in text


def test_a_billable_code_is_answered_with_the_other_codes_of_its_header(matcher: Matcher):
    result = matcher.answer("Is M79.18 right for neck muscles?")
    assert result.icd10 is not None
    assert "The other codes under M79.1 Myalgia:" in result.icd10.paragraphs[0]
    assert "M79.12 Myalgia of auxiliary muscles, head and neck" in result.icd10.paragraphs[0]


def test_a_seven_character_code_is_read_whole(matcher: Matcher):
    # "S13.4XXA" was read as "S13.4X", said not to exist; "V43.52XA" got no answer.
    result = matcher.answer("Is S13.4XXA a valid code for a trigger point injection claim?")
    assert result.icd10 is not None
    assert result.icd10.paragraphs[0].startswith(
        "S13.4XXA – Sprain of ligaments of cervical spine, initial encounter: a billable code."
    )
    assert tokenise("dx V43.52XA, T50.Z11A and Z3A.08") == [
        "dx",
        "v43.52xa",
        "t50.z11a",
        "and",
        "z3a.08",
    ]
    # A lone letter after the dot is the wildcard people write, not a code.
    assert tokenise("any M54.X code") == ["any", "m54", "x", "code"]


def test_a_code_in_the_story_is_looked_up_only_when_the_question_points_at_it(
    matcher: Matcher,
):
    # A staff probe: the diagnosis on the claim is the story of an appeal question.
    story = "Our claim for 20553 was denied. The dx on the claim was M54.2."
    appeal = matcher.answer(f"{story} How do we appeal the denial?")
    assert appeal.icd10 is None
    assert appeal.entry is not None and appeal.entry.id == "denials-appeals"
    # "that code", "which one": the question asks about the codes before it.
    for question in (
        "The patient has M79.18. Is that code on the Medicare list for TPIs?",
        "M79.18 vs M62.838, which one for TPIs?",
    ):
        assert matcher.answer(question).icd10 is not None, question


def test_a_listed_code_gets_its_title_and_the_list_with_its_scope(matcher: Matcher):
    result = code_answer(matcher, "what is G44.209?")
    text = answer_text(result)
    assert (
        "G44.209 – Tension-type headache, unspecified, not intractable: a billable code." in text
    )
    assert "G44.209 is on it" in text
    # The list says which policy it is from and that two contractors differ.
    assert "Novitas" in text and "First Coast" in text
    assert f"Code set: {RELEASE}." in text
    names = [source.name for source in result.icd10.sources] if result.icd10 else []
    assert any("A57701" in name for name in names)
    assert any("April 2026" in name for name in names)


def test_a_code_outside_the_list_asked_with_a_tpi_code_is_answered(matcher: Matcher):
    result = code_answer(matcher, "can I bill M54.50 with 20553 for Medicare?")
    text = answer_text(result)
    assert "M54.50 – Low back pain, unspecified: a billable code." in text
    assert "M54.50 is not on it" in text


def test_codes_an_excludes1_note_keeps_apart_are_named(matcher: Matcher):
    result = code_answer(matcher, "M79.18 and M79.7 together?")
    assert result.icd10 is not None
    (conflict,) = result.icd10.conflicts
    assert {conflict.code, conflict.excluded} == {"M79.18", "M79.7"}
    text = answer_text(result)
    assert "M79.18 and M79.7 are not reported together" in text
    assert "fibromyalgia (M79.7)" in text
    assert "M79.7 is not on it" in text


def test_codes_no_note_keeps_apart_are_said_to_go_together(matcher: Matcher):
    text = answer_text(code_answer(matcher, "M79.18 with G44.209 for a trigger point injection"))
    assert "No Excludes1 note keeps M79.18 and G44.209 apart." in text


def test_a_code_that_does_not_exist_is_said_not_to_exist(matcher: Matcher):
    result = code_answer(matcher, "is M79.19 billable for trigger point injections?")
    text = answer_text(result)
    assert text.startswith("M79.19 is not an ICD-10-CM code.")
    assert "The nearest header is M79.1 Myalgia" in text
    assert result.icd10 is not None and not result.icd10.findings[0].info.exists


@pytest.mark.parametrize(
    "question",
    [
        "is E11.9 billable for a trigger point injection?",  # a TPI word
        "E11.9 with 20552",  # a TPI code
        "myofascial pain and E11.9",
        "M79.11",  # on the list
        "G44.2",  # a header of the list
        "M79.1",
    ],
)
def test_a_tpi_context_gets_a_code_answer(matcher: Matcher, question: str):
    code_answer(matcher, question)


@pytest.mark.parametrize(
    "question",
    [
        "what is E11.9?",
        "is E11.9 billable",
        "ICD-10 code for type 2 diabetes",
        "is there an icd code for migraine with aura",
        "can I bill M54.16 for medicare",
    ],
)
def test_codes_outside_a_tpi_context_are_not_answered(matcher: Matcher, question: str):
    result = matcher.answer(question)
    assert result.icd10 is None
    assert result.status is Status.NONE


def test_the_reply_shows_title_text_sources_and_related_entry(
    matcher: Matcher, knowledge: KnowledgeBase
):
    result = code_answer(matcher, "M79.18 for a TPI?")
    reply = reply_for(result, knowledge)
    plain = render_plain(reply)
    assert plain.startswith("ICD-10-CM M79.18\n\nM79.18 – Myalgia, other site: a billable code.")
    assert "Sources: CMS ICD-10-CM tabular, April 2026 release" in plain
    owner = matcher.code_owner("M79.18")  # the entry listing the code is offered
    assert owner is not None
    assert [option.data for option in reply.options] == [f"faq:{owner.id}"]
    (html,) = render_html(reply)
    assert "<b>ICD-10-CM M79.18</b>" in html


def test_ask_json_exposes_the_lookup(capsys: pytest.CaptureFixture[str]):
    assert main(["ask", "--json", "is M79.1 billable?"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "answer" and shown["id"] is None
    assert shown["question"] == "ICD-10-CM M79.1"
    icd10 = shown["icd10"]
    assert icd10["release"] == RELEASE
    (code,) = icd10["codes"]
    assert code["code"] == "M79.1" and code["billable"] is False
    assert code["billable_codes"] == ["M79.10", "M79.11", "M79.12", "M79.18"]
    assert code["on_lists"] == ["medicare-tpi"]
    assert icd10["conflicts"] == []


def test_a_long_list_of_codes_is_answered_for_the_first_few_and_says_so(matcher: Matcher):
    codes = "M79.10 M79.11 M79.12 M79.18 G44.201 G44.209 G44.211 G44.219 G44.221 G44.229"
    result = code_answer(matcher, f"tpi diagnoses {codes} M79.10")
    assert result.icd10 is not None
    assert result.icd10.codes == tuple(codes.split()[:MAX_ASKED_CODES])
    # The rest are named, not dropped without a word (a code named twice counts once).
    [said] = [p for p in result.icd10.paragraphs if "first 8 codes" in p]
    assert "G44.221 and G44.229 in other messages, 8 at a time" in said
