"""Described cases: the muscles counted, the code, the question back, and the reply."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.case_answers import CASE_ENTRY
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.matching import Matcher, Status
from bot.replies import render_html, render_plain, reply_for
from tests.conftest import MINIMAL_ENTRY, MINIMAL_TOPICS, ROOT, read_yaml
from tests.test_cli import run

DATA = ROOT / "tests" / "data"
CASES: list[dict[str, Any]] = read_yaml(DATA / "cases.yaml")["cases"]
DESCRIBED = [c for c in CASES if c.get("case", True)]
NOT_CASES = [c for c in CASES if not c.get("case", True)]


def _id(case: dict[str, Any]) -> str:
    return case["q"][:60]


def test_the_case_set_is_large_real_and_not_held_out():
    assert len(DESCRIBED) >= 40
    sources = [str(c["source"]) for c in CASES]
    assert len([s for s in sources if s.startswith("http")]) >= 3  # real wording
    assert len([s for s in sources if s.startswith("variation of http")]) >= 3  # adapted
    held_out = read_yaml(DATA / "real_holdout.yaml")
    held = {" ".join(item["q"].split()) for item in held_out}
    assert not [c["q"] for c in CASES if " ".join(c["q"].split()) in held]


@pytest.mark.parametrize("case", DESCRIBED, ids=_id)
def test_described_case_is_counted(matcher: Matcher, case: dict[str, Any]):
    result = matcher.answer(case["q"])
    assert result.status is Status.ANSWER and result.case is not None, result
    assert result.entry is not None and result.entry.id == CASE_ENTRY
    counted = result.case.as_json()
    assert sorted(counted["muscles"]) == sorted(case.get("muscles", []))
    assert counted["code"] == case["code"]
    assert counted["units"] == (1 if case["code"] else 0)
    assert counted["count"] == case.get("count", len(counted["muscles"]))
    assert set(case.get("regions", [])) <= set(counted["regions"])
    assert set(case.get("sites", [])) <= set(counted["other_sites"])


@pytest.mark.parametrize("case", NOT_CASES, ids=_id)
def test_other_questions_are_not_cases(matcher: Matcher, case: dict[str, Any]):
    assert matcher.answer(case["q"]).case is None


def test_reply_says_what_was_counted_then_the_code_rule_and_source(
    matcher: Matcher, knowledge: KnowledgeBase
):
    question = (
        "if a doctor injected the left thoracic trapezius, left rhomboids and left"
        " supraspinatus, what is the correct CPT code?"
    )
    reply = reply_for(matcher.answer(question), knowledge)
    text = render_plain(reply)
    counted = text.index(
        "You named 3 muscles: left trapezius, left rhomboid and left supraspinatus"
    )
    code = text.index("3 or more muscles → 20553, 1 unit for the session")
    rule = text.index("The right and left of the same muscle may count as two muscles")
    source = text.index("AAPC, Part B Coding Alert (https://aapc.com/")
    assert counted < code < rule < source
    assert "a payer may differ" in text and "one anatomical region" in text
    assert "Novitas and First Coast" in text and "Reviewed November 2026" in text
    assert "rhomboid major and minor" in text  # how the group was counted, and that it is open
    assert [o.data for o in reply.options] == [
        "faq:billing-units",
        "faq:modifiers",
        "faq:documentation",
    ]
    assert reply.rated_entry == CASE_ENTRY
    [html] = render_html(reply)
    assert html.startswith("<b>Coding this case: 20553 x 1</b>")


def test_a_region_gets_a_question_back_with_what_was_counted(matcher: Matcher, knowledge):
    result = matcher.answer("TPI to the right trapezius and the low back, which code?")
    assert result.case is not None and result.case.code is None
    text = render_plain(reply_for(result, knowledge))
    assert "which muscles were injected?" in text
    assert "“low back” is a region, not a muscle: name the muscles injected" in text
    assert "So far I count 1 muscle" in text and "You named 1 muscle: right trapezius" in text


def test_dry_needling_is_counted_the_same_way_with_its_codes(matcher: Matcher):
    result = matcher.answer("dry needling of the left levator only, what code?")
    assert result.case is not None and result.case.code == "20560"
    assert "Dry needling (no injectate): 20560 for 1 or 2 muscles" in result.case.paragraphs[1]


def test_a_joint_named_points_to_same_day_procedures(matcher: Matcher, knowledge):
    question = "TPI to the left trapezius plus a left shoulder joint injection, which code?"
    result = matcher.answer(question)
    reply = reply_for(result, knowledge)
    assert reply.options[0].data == "faq:same-day-procedures"
    assert "is not a trigger point code" in render_plain(reply)


def test_unsided_muscles_are_counted_once_and_say_so(matcher: Matcher):
    result = matcher.answer("trigger point injections in the trapezius, what code?")
    assert result.case is not None and result.case.code == "20552"
    assert any("No side given for trapezius" in p for p in result.case.paragraphs)


def test_a_count_of_injections_told_twice_is_not_added_up(matcher: Matcher):
    question = (  # a staff question asked in a probe
        "Doc did four separate injections all into the right trapezius today. Our new coder"
        " put 20553 because there were four injections. Shouldn't this be 20552?"
    )
    case = matcher.answer(question).case
    assert case is not None and case.code == "20552"
    assert case.injections is None and "injections named" not in case.paragraphs[0]
    once = matcher.answer("four injections into the right trapezius, 20552 or 20553?").case
    assert once is not None and once.injections == 4
    assert "4 injections named" in once.paragraphs[0]


def test_muscles_given_as_a_number_are_counted_as_given(matcher: Matcher):
    result = matcher.answer("13 total TPIs to six muscle groups, 13 units of 20553?")
    assert result.case is not None and result.case.code == "20553"
    assert "You gave 6 muscle groups and 13 injections" in result.case.paragraphs[0]
    asked = matcher.answer("tpi 4 injections into 2 muscle groups, code?").case
    assert asked is not None and asked.code is None
    assert "A muscle group is not one muscle" in asked.paragraphs[0]


def test_bil_right_before_a_muscle_is_both_sides(matcher: Matcher):
    # A probe's staff shorthand: "bil traps + bil rhomboids" are four muscles, not two.
    case = matcher.answer("tpi x4 muscles bil traps + bil rhomboids code?").case
    assert case is not None and case.code == "20553"
    assert len(case.muscles) == 4
    # Elsewhere "bil" is as often "bill" mistyped: no side is read from it.
    typo = matcher.answer("can we bil for tpi to traps and rhomboids, code?").case
    assert typo is not None and typo.code == "20552"
    assert all(muscle.side is None for muscle in typo.muscles)
    # A review's: "bil" right after someone or a verb is "bill" too.
    for question in (
        "can i bil trap and levator scap as 20553?",
        "dr wants to bil trap and scm as 20553, correct?",
    ):
        billed = matcher.answer(question).case
        assert billed is not None and billed.code == "20552", question
    # After "to" or "also" it is bilateral again, unless someone wants to bill it.
    for question, code in (
        ("TPI to bil traps and levator, code?", "20553"),
        ("Injected L trap, also bil rhomboids, what code?", "20553"),
    ):
        sided = matcher.answer(question).case
        assert sided is not None and sided.code == code, question
        assert all(muscle.side is not None for muscle in sided.muscles), question
    # "b/l" is bilateral, not "l" for left.
    both = matcher.answer("b/l traps and rhomboids tpi, code").case
    assert both is not None and both.code == "20553" and len(both.muscles) == 4


@pytest.mark.slow  # runs run_bot.py as a subprocess
def test_ask_json_has_the_case_fields():
    question = "tpi bilateral traps and left QL, code?"
    done = run("ask", "--json", question)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "answer" and result["id"] == CASE_ENTRY
    case = result["case"]
    assert case["code"] == "20553" and case["units"] == 1 and case["count"] == 3
    assert case["muscles"] == ["left trapezius", "right trapezius", "left quadratus lumborum"]
    assert result["question"] == "Coding this case: 20553 x 1"
    assert any("aapc.com" in (s["url"] or "") for s in result["sources"])


@pytest.mark.slow  # runs run_bot.py as a subprocess
def test_console_answers_a_case():
    done = run("console", stdin="Dry needling of the right piriformis only, how do we code it?\n")
    assert done.returncode == 0, done.stderr
    assert "Coding this case: 20560 x 1" in done.stdout
    assert "1 muscle → 20560" in done.stdout


MUSCLES = """\
muscles:
  - id: trapezius
    name: trapezius
    names: [traps, upper trap]
  - id: levator
    name: levator scapulae
    names: [levator, traps]
"""


def test_a_word_naming_two_muscles_is_reported_with_file_and_line(write_knowledge):
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, muscles=MUSCLES)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    message = str(caught.value)
    assert re.search(
        r"muscles\.yaml:\d+: entry 'levator': 'traps' already names 'trapezius'", message
    )


def test_muscle_items_are_validated(write_knowledge):
    bad = "muscles:\n  - id: Bad Id\n    name: x\n  - id: ok\n    nmae: typo\n    name: ok\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, muscles=bad)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    message = str(caught.value)
    assert "muscles.yaml:2:" in message and "must be lowercase" in message
    assert "unknown field 'nmae'" in message


def test_without_the_case_entry_cases_go_to_the_entries(write_knowledge):
    one = "muscles:\n  - id: trapezius\n    name: trapezius\n    names: [traps]\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, muscles=one)
    matcher = Matcher(load_knowledge(directory))
    assert matcher.answer("tpi to both traps, what code?").case is None


def test_shipped_muscles_are_data(knowledge: KnowledgeBase):
    kinds = {term.kind for term in knowledge.muscle_terms}
    assert kinds == {"muscle", "region", "site"}
    names = {name for term in knowledge.muscle_terms for name in (term.name, *term.names)}
    for word in ("upper trap", "scm", "ql", "glute med", "piriformis", "paraspinals", "knee"):
        assert word in names, word
    assert Path(ROOT / "knowledge" / "muscles.yaml").is_file()
