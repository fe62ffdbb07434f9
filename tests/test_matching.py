"""Matcher behaviour: exact codes, small talk, declining what is not covered, dev-set targets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
import yaml

from bot.decision import Scored, decide
from bot.evaluation import Outcome, evaluate, load_dev_set
from bot.knowledge import KnowledgeBase
from bot.matching import Candidate, Matcher, Status, Thresholds
from bot.replies import render_plain, reply_for
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("20552", "cpt-code"),
        ("20553", "cpt-code"),
        ("20560", "dry-needling"),
        ("20561", "dry-needling"),
        ("76942", "imaging-guidance"),
        ("J3301", "drug-units"),
        ("j1100", "drug-billing"),
        ("L34211", "medicare-limits"),
    ],
)
def test_code_numbers_match_exactly(matcher: Matcher, question: str, entry_id: str):
    result = matcher.answer(question)
    assert result.status is Status.ANSWER
    assert result.entry is not None and result.entry.id == entry_id
    assert question.upper() in result.entry.answer.upper()


@pytest.mark.parametrize("question", ["20526", "CPT 27447", "20554", "E11.9", "J7325 units"])
def test_unknown_codes_are_not_fuzzy_hits(matcher: Matcher, question: str):
    result = matcher.answer(question)
    assert result.status is Status.NONE
    assert result.unknown_codes


def test_an_unknown_code_beside_trigger_points_is_offered_the_entry_on_both(
    matcher: Matcher, knowledge: KnowledgeBase
):
    # A nerve block's code is not in the knowledge, but a TPI beside one is.
    result = matcher.answer("tpi + 64405 same dos medicare?")
    assert result.status is Status.SUGGEST and result.unknown_codes == ("64405",)
    assert [c.entry.id for c in result.candidates] == ["same-day-procedures"]
    shown = render_plain(reply_for(result, knowledge))
    assert shown.startswith("Sorry, I have no information about 64405. The closest I have:")
    # Without trigger points, nothing is known about what is asked.
    alone = matcher.answer("is 64405 covered by medicare")
    assert alone.status is Status.NONE and not alone.candidates
    # Beside an injection, the closest entries are at most offered, never the answer (a
    # staff probe's SI joint question got the imaging guidance entry).
    joint = matcher.answer(
        "Our SI joint injections 27096 under fluoroscopy keep getting denied by Medicare. What"
        " does Medicare require for SI joint injections to be covered?"
    )
    assert joint.status is not Status.ANSWER and joint.unknown_codes == ("27096",)


def test_a_code_one_digit_away_is_not_the_same_code(matcher: Matcher):
    assert matcher.code_owner("20552") is not None
    assert matcher.code_owner("20562") is None
    assert matcher.code_owner("20560") != matcher.code_owner("20552")


@pytest.mark.parametrize(
    "question",
    ["CPT code for a knee replacement", "symptoms of covid", "ICD-10 code for type 2 diabetes"],
)
def test_near_domain_questions_get_none(matcher: Matcher, question: str):
    assert matcher.answer(question).status is Status.NONE


def test_a_general_health_question_is_at_most_suggested(matcher: Matcher):
    # "diabetes" is in the knowledge (TPIs for people with diabetes): suggested, not answered.
    assert matcher.answer("how is diabetes diagnosed").status is not Status.ANSWER


@pytest.mark.parametrize(
    "question",
    # Thanks in more words too: "Thank you for your help!" got three unrelated entries.
    [
        "hi",
        "thanks!",
        "who are you?",
        "good morning",
        "Thank you for your help!",
        # Asking whether one may ask got the doctor's diagnostic questions.
        "Can I ask a question?",
        "I have a question.",
        "May I ask a question?",
        "Any help is much appreciated",
    ],
)
def test_small_talk_never_gets_a_knowledge_answer(matcher: Matcher, question: str):
    result = matcher.answer(question)
    assert result.status is Status.SMALLTALK
    assert result.smalltalk is not None and result.candidates == ()


def test_a_question_about_something_else_is_not_the_doctors_questions(matcher: Matcher):
    # "question" and "ask" alone were keywords of the diagnostic-questions entry.
    assert matcher.answer("I have a question about my bill").status is not Status.ANSWER
    assert answered_with(matcher, "what questions will the doctor ask me") == (
        "diagnostic-questions"
    )


@pytest.mark.parametrize("question", ["What can you do about it?", "what can you do about them"])
def test_a_pronoun_asks_about_something_said_not_the_bot(matcher: Matcher, question: str):
    # "What can you do?" asks what the bot does; "... about it" refers to the knots.
    assert matcher.answer(question).status is not Status.SMALLTALK
    assert matcher.answer("What can you do?").status is Status.SMALLTALK


def test_greeting_with_a_question_is_answered(matcher: Matcher):
    result = matcher.answer("hi, which cpt code for trigger point injections in 3 muscles?")
    assert result.status is Status.ANSWER and result.entry.id == "cpt-code"


def test_result_explains_itself(matcher: Matcher):
    result = matcher.answer("can I bill ultrasond guidance with a tpi")
    best = result.best
    assert result.status is Status.ANSWER and best.entry.id == "imaging-guidance"
    assert 0 <= best.score <= 100
    assert best.matched in (best.entry.question, *best.entry.alternates)
    assert any(reason.startswith("coverage") for reason in best.reasons)


def test_ambiguous_question_suggests_close_candidates(matcher: Matcher):
    result = matcher.answer("billing")
    assert result.status is Status.SUGGEST
    assert 2 <= len(result.candidates) <= 3
    assert len({c.entry.id for c in result.candidates}) == len(result.candidates)


def answers_with_hash_seed(seed: str, questions: list[str]) -> str:
    """``run_bot.py ask --json`` on ``questions`` in a fresh process with this hash seed."""
    environment = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_DIR"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "ask", "--json"],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        env={**environment, "PYTHONHASHSEED": seed},
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow  # two whole processes
def test_answers_do_not_depend_on_the_hash_seed():
    """Set and dict orders of strings change with PYTHONHASHSEED; answers must not."""
    cases, _ = load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml")
    questions = [case.question for case in cases]
    first = answers_with_hash_seed("1", questions)
    assert len(first.splitlines()) == len(questions)
    assert answers_with_hash_seed("2", questions) == first


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", Status.NONE),
        ("   ", Status.NONE),
        ("?!?", Status.NONE),
        ("🙂" * 50, Status.NONE),
        ("\x00\x01", Status.NONE),
        ("a" * 100_000, Status.NONE),
        ("M79." * 500, Status.NONE),
        ("20552 " * 2000, Status.ANSWER),
    ],
)
def test_odd_input_is_declined_or_answered_by_its_code(
    matcher: Matcher, text: str, status: Status
):
    result = matcher.answer(text)
    assert result.status is status
    if status is Status.ANSWER:
        assert result.entry is not None and result.entry == matcher.code_owner("20552")


def test_thresholds_change_decisions(knowledge):
    strict = Matcher(knowledge, Thresholds(answer=100, suggest=99, margin=50))
    assert strict.answer("how are trigger points treated").status is not Status.ANSWER
    with pytest.raises(ValueError):
        Thresholds(answer=40, suggest=60)


@pytest.mark.slow  # the dev set's code questions load the ICD-10-CM code set
def test_dev_set_meets_its_targets(matcher: Matcher):
    # The targets: >= 92% of answerable questions right, <= 3% of off-topic and
    # near-domain ones answered (BENCHMARKS.md, "Dev set results": measured 93.6%, 1.6%).
    report = evaluate(matcher, *load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml"))
    assert len(report.outcomes) >= 390
    assert report.answer_accuracy >= 0.92, report.format()
    assert report.false_answer_rate <= 0.03, report.format()
    assert not report.confused_pairs, report.format()


def test_real_questions_held_out_hold_their_measured_level(matcher: Matcher):
    # Measured, never tuned on (README, "Real questions"); the floors (85% right,
    # <= 3% wrong, <= 5% false) are far from met. A regression below these fails.
    report = evaluate(matcher, *load_dev_set(ROOT / "tests" / "data" / "real_holdout.yaml"))
    counts = report.format(questions=False)  # a failure shows no held-out question
    total = report.tally()
    assert total.answerable + total.unanswerable >= 575
    assert total.right_rate >= 0.49, counts  # measured 50.2% (164 of 327)
    assert total.wrong_rate <= 0.12, counts  # 11.0% (36 of 327)
    assert total.false_rate <= 0.16, counts  # 15.3% (38 of 248)
    # The eighteenth round's three answerable long staff questions (none answered right)
    # took this from 29.4% (15 of 51) to 27.8% (15 of 54).
    assert report.long_staff.right_rate >= 0.27, counts


NAMES_THE_INJECTION = re.compile(
    r"(trigger point injections?|trigger point shots?|TPIs?)\b", re.IGNORECASE
)


def _with_site(site: str) -> Callable[[str], str | None]:
    def add(question: str) -> str | None:
        if not NAMES_THE_INJECTION.search(question):
            return None
        return NAMES_THE_INJECTION.sub(lambda match: match.group(0) + site, question, count=1)

    return add


@pytest.mark.parametrize(
    ("change", "most_worse"),
    [
        # "What is a TPI in my neck?" asks what a TPI is. Of the 171 dev questions that name
        # the injection, 35 (36) lose their right reply, mostly code questions the case
        # coder then counts (README, "Real questions").
        (_with_site(" in the neck"), 36),
        (_with_site(" in my neck"), 37),
        # An opener is not the question: 35 of 364 right replies lost (122 before the
        # opener left the focus), mostly one-word and code questions.
        (lambda question: f"Hello! Quick question: {question}", 36),
        # The same with commas or a dash: 35 and 33 (122 and 114 before).
        (lambda question: f"Hello, quick question, {question}", 36),
        (lambda question: f"Quick question - {question}", 34),
    ],
    ids=["in the neck", "in my neck", "opener", "opener with commas", "opener with a dash"],
)
def test_a_reworded_question_keeps_most_answers(
    matcher: Matcher, change: Callable[[str], str | None], most_worse: int
):
    cases, _ = load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml")
    worse = 0
    for case in cases:
        reworded = change(case.question)
        if reworded is None or not Outcome(case, matcher.answer(case.question)).correct:
            continue
        worse += not Outcome(case, matcher.answer(reworded)).correct
    assert worse <= most_worse


def test_dev_set_does_not_copy_the_knowledge_base(knowledge):
    cases, _ = load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml")
    own_texts = {
        t.lower().strip(" ?") for e in knowledge.entries for t in (e.question, *e.alternates)
    }
    copied = [c.question for c in cases if c.question.lower().strip(" ?") in own_texts]
    assert not copied


def test_a_huge_message_is_read_by_its_opening_and_its_end(matcher: Matcher):
    from bot.query import MAX_QUERY_CHARS, readable_part

    # A Telegram probe's biller pasted a 2,279-character note, then asked: only the first
    # 1,000 characters were read, and the question was lost.
    note = "Procedure note: patient tolerated the procedure well, vitals stable. " * 40
    question = "How many units of 20553 can we bill per session?"
    for message in (note + question, question + " " + note):
        assert answered_with(matcher, message) == "billing-units", message[:40]
    # Whatever the size, matching reads about MAX_QUERY_CHARS of it.
    huge = "symptoms of covid and a knee replacement " * 1000
    assert len(readable_part(huge)) <= MAX_QUERY_CHARS
    assert readable_part(" " * 5000).strip() == ""


@pytest.mark.parametrize(
    ("question", "not_expected"),
    [
        ("odd tingling feeling in my shoulder", "dry-needling"),  # feeling -/-> needling
        ("any change to the rules this year", "cpt-code"),  # change -/-> charge (bill)
    ],
)
def test_everyday_words_are_not_corrected_into_knowledge_words(
    matcher: Matcher, question: str, not_expected: str
):
    assert all(c.entry.id != not_expected for c in matcher.answer(question).candidates)


def test_one_rare_word_among_everyday_ones_is_not_a_confident_answer(matcher: Matcher):
    assert matcher.answer("any change to the rules this year").status is not Status.ANSWER


# Questions the bot itself suggests to users: each must be answered, and correctly.
SHOWN_EXAMPLES = {
    "Which CPT code for 3 muscles?": "cpt-code",
    "Can I bill 20552 twice?": "billing-units",
    "What does a trigger point feel like?": "symptoms",
    "J3301": "drug-units",
    "Which CPT code do I bill for 3 muscles?": "cpt-code",
    "What are the symptoms of trigger points?": "symptoms",
    "which code for 3 muscles?": "cpt-code",
}


def test_the_examples_the_bot_shows_are_answered_right(matcher: Matcher, knowledge):
    from bot.handlers.commands import ASK_USAGE
    from bot.replies import help_reply

    shown = " ".join(
        [render_plain(help_reply("tpi_faq_bot")), ASK_USAGE]
        + [intent.reply for intent in knowledge.smalltalk]
    )
    for example, entry_id in SHOWN_EXAMPLES.items():
        assert example in shown, example
        result = matcher.answer(example)
        assert result.status is Status.ANSWER and result.entry.id == entry_id, example


@pytest.mark.parametrize(
    ("question", "point"),
    [
        # "who should" (who may give it) lies inside "who should not" (before): not asked.
        ("Who should not get a trigger point injection?", "before"),
        ("Who should give me a trigger point injection?", "who"),
        # Whether it helps, not who gives it (which-doctor names headache specialists).
        ("Can Trigger Point Injections Help My Headaches?", "effect"),
        # "don't" reads "do not": whether it works, not what happens during it.
        ("What happens if my trigger point injections don't work?", "effect"),
        # How long the procedure itself takes, not how long the relief lasts.
        ("How long does the TPI procedure take?", "procedure"),
        ("Any downtime after a TPI?", "aftercare"),
        ("Does a trigger point shot contain a steroid?", "contents"),
        # How it brings relief (purpose), not how long the relief lasts.
        ("How do trigger point injections provide relief?", "purpose"),
        # Why it stays (cause); whether it ever goes away is the prognosis point.
        ("Why won't my knots go away?", "cause"),
        # What knots lead to, not what causes them.
        ("Can Muscle Knots Cause Similar Pain?", "consequence"),
        ("What are trigger point injections used for?", "uses"),
        ("J1100 drug units for 10 mg dexamethasone?", "drug-units"),
        ("Can trigger points cause headaches?", "consequence"),
        # How long until an activity is allowed is aftercare, not how long relief lasts.
        ("how long after a trigger point injection can I exercise", "aftercare"),
        # Which pain medicine is safe to take afterwards: the aftercare says to ask.
        ("Is it ok to take ibuprofen after a TPI?", "aftercare"),
        ("What kinds of doctors give trigger point injections?", "who"),
        # Up to eight words between "does" and "hurt": the injection and where it goes.
        ("Does a trigger point injection in the shoulder hurt?", "pain-during"),
        ("Is getting a trigger point injection in my neck painful?", "pain-during"),
        ("Is a trigger point injection in the neck safe?", "side-effects"),
        ("What's it like to get a trigger point injection?", "procedure"),
        ("What can trigger point injections treat?", "uses"),
        # "what's ... like" with a gap would swallow the point inside it.
        ("What's recovery like after a trigger point injection?", "aftercare"),
        ("What's the success rate like for trigger point injections?", "effect"),
        ("What's a muscle knot and why does it hurt?", "definition"),
        ("How are trigger point injections administered?", "procedure"),
        ("How long do I have to wait between trigger point injections?", "frequency"),
        ("I feel dizzy after my injection", "symptom-after"),
        ("What is the duration of relief after a trigger point injection?", "duration"),
        ("How do doctors find trigger points in the neck?", "diagnosis"),
        ("How do I know if I have a knot in my back?", "diagnosis"),
        ("How can I relieve my knots?", "remedy"),
        # Relieving what follows the injection is the aftercare, not treating knots.
        ("How can I relieve the soreness after my injection?", "aftercare"),
        # The procedure's "... like" names what it is: a gap there would swallow the cost.
        ("What is the trigger point injection cost like?", "cost"),
        ("What is the trigger point injection procedure like?", "procedure"),
        ("What is a knot in a muscle of the neck?", "definition"),
        ("How are the shots given?", "procedure"),
        # What symptoms knots cause is not what causes knots.
        ("What symptoms develop from a knot in the neck?", "symptoms"),
        ("What symptoms do trigger points cause?", "symptoms"),
        ("Why have I got so many trigger points?", "cause"),
        ("Who is an unsuitable candidate for the shot?", "before"),
        # A probe's: how long the soreness lasts is not how long the relief lasts, and
        # how long the visit takes is the procedure.
        ("how long will i be sore after a trigger point injection", "soreness"),
        ("how long does soreness last after trigger point injections", "soreness"),
        # Where two points' cues cover the same words, the cue that names more of them:
        # "how long ... bruis* ... last*" over the duration's "how long ... last*".
        ("How long does the bruising last", "soreness"),
        ("How long until the soreness goes away", "soreness"),
        ("how long will my mom be at the clinic for the tpi", "procedure"),
        # A worry, not a report (no 911 reply): the side effects, not the symptoms.
        ("will my chest feel tight after the shot?", "symptom-after"),
    ],
)
def test_the_point_asked_is_recognised(matcher: Matcher, question: str, point: str):
    reasons = matcher.answer(question).candidates[0].reasons
    asked = [r for r in reasons if "the point asked" in r]
    assert asked == [f"answers the point asked: {point}"], reasons


@pytest.mark.parametrize(
    "question",
    [
        "And what are trigger points, really?",
        "What is a trigger point? A knot?",
        "Whats a muscle knot anyway?",
        "Exactly what are trigger points?",
    ],
)
def test_a_question_naming_only_the_subject_asks_what_it_is(matcher: Matcher, question: str):
    # No cue is in them; the definition point is marked subject_alone in points.yaml.
    # ("How will my doctor know it is a trigger point?", an alternate of the diagnosis
    # entry, names nothing else either and took them.)
    assert answered_with(matcher, question) == "symptoms"


@pytest.mark.parametrize(
    "question",
    [
        "What are trigger points used for?",
        "What is the trigger point code?",
        "Are trigger points real?",
        "What is a trigger point injection?",
    ],
)
def test_a_question_that_names_more_than_the_subject_is_not_a_definition(
    matcher: Matcher, question: str
):
    reasons = " ".join(matcher.answer(question).candidates[0].reasons)
    assert "point asked: definition" not in reasons


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # A reaction to the injection, not whether one has trigger points (diagnosis cues
        # name "trigger points", which "trigger point injection" is not).
        ("How can I tell if I have a trigger point injection reaction?", "side-effects"),
        # Whether an activity is safe after the shot is aftercare, not the risks alone.
        ("Is it safe to work out the day after my shot?", "aftercare"),
        ("Why have I got a dent in my skin after the shot?", "side-effects"),
        ("How is it given to Medicare, with an ABN?", "medicare-limits"),
        # "the point" alone is not a trigger point.
        ("What is the point?", None),
        # What a knot might lead to beyond pain is not answered with referred pain.
        ("Can a knot in my neck cause a stroke?", None),
        # "at home" is a place, not a remedy; "receive" is not "give".
        ("Can I get a TPI at home?", None),
        ("Who can receive trigger point injections?", None),
        ("What is a knot in the breast?", None),
        # A second review's (the symptoms point, the everyday words).
        ("What causes the symptoms of trigger points?", "causes"),
        ("What symptoms do I have to have for Medicare to cover TPIs?", "medicare-limits"),
        ("Can I get a couple of trigger point injections in one visit?", None),
        ("Should an experienced doctor do the injection?", None),
    ],
)
def test_neighbours_of_the_new_cues_keep_their_replies(
    matcher: Matcher, question: str, answer: str | None
):
    # Found by a review that asked 487 neighbouring questions of the change.
    assert answered_with(matcher, question) == answer


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("I tried trigger point injections, what else can I do?", "treatments"),
        ("Is one injection sufficient?", "relief-duration"),
        ("Have you heard of trigger point injections?", "what-is-tpi"),
        ("ELI5: what causes muscle knots when I am simply sitting at a desk?", "causes"),
        # Days, times of day and relatives are the story's, not what is asked.
        (
            "How do I prepare for my trigger point injection on Friday? Anything I should"
            " tell them first?",
            "before-the-injection",
        ),
        (
            "My aunt says trigger point injections are just a placebo. Is that true?",
            "effectiveness",
        ),
        ("Had trigger point jabs this morning, can I go to the gym tonight?", "aftercare"),
        # Nor are the words of a greeting or an apology ("Hi team", "a dumb question").
        (
            "Hi team, quick one: which CPT do we use when the doc injected trigger points in"
            " 3 muscles? Thanks!",
            "cpt-code",
        ),
        (
            "Sorry if this is a dumb question, but what exactly do they put in a trigger"
            " point injection?",
            "what-is-tpi",
        ),
    ],
)
def test_everyday_words_do_not_count_as_unknown(matcher: Matcher, question: str, answer: str):
    # "tried", "sufficient", "heard" were unknown words, and an unknown word is what a
    # question is about ("side effects of the flu shot"): these got no answer.
    assert answered_with(matcher, question) == answer


@pytest.mark.parametrize(
    "question", ["does medicaid pay for tpi", "Is a trigger point injection covered by Medicaid?"]
)
def test_an_unknown_word_does_not_pass_for_a_known_one_spelt_alike(
    matcher: Matcher, question: str
):
    # "medicaid" is no word of the knowledge base, but letter by letter it is 75% "medicare":
    # the Medicare entry was answered with similarity 95. Medicaid is not Medicare.
    assert answered_with(matcher, question) != "medicare-limits"
    assert answered_with(matcher, question.replace("edicaid", "edicare")) == "medicare-limits"


def test_a_body_part_alone_does_not_pick_the_entry_that_names_it_in_passing(matcher: Matcher):
    # An alternate of the pregnancy entry said "neck knots": "neck", a rare word, gave that
    # entry the lead on a question about pain after the injection.
    result = matcher.answer("why does my neck hurt more after the injection")
    assert result.candidates[0].entry.id != "pregnancy-diabetes"
    assert {c.entry.id for c in result.candidates} & {"side-effects", "what-happens"}


WHO_MAY = frozenset({"who-can-bill", "which-doctor"})
AFTER_EFFECTS = frozenset({"side-effects", "aftercare"})


@pytest.mark.parametrize(
    ("question", "answers"),
    [
        # "MA" was indexed for Medicare Advantage (the keyword "ma plan"): insurance.
        ("can an MA give trigger point injections", WHO_MAY),
        ("can a medical assistant do trigger point injections", WHO_MAY),
        ("can an RN inject trigger points", WHO_MAY),
        # The first got the symptoms of trigger points; soreness for a day or so is a side
        # effect, which both entries name.
        ("why do i feel worse after trigger point injections", AFTER_EFFECTS),
        ("is it normal to feel worse after a tpi", AFTER_EFFECTS),
        ("my back is worse after trigger point injections, is that normal", AFTER_EFFECTS),
    ],
)
def test_one_of_two_entries_answers(matcher: Matcher, question: str, answers: frozenset[str]):
    assert answered_with(matcher, question) in answers


def test_when_not_to_have_one_asks_what_to_mention_before(matcher: Matcher):
    # It was answered with what a trigger point injection is.
    result = matcher.answer("when should trigger point injections not be done")
    assert result.candidates[0].entry.id == "before-the-injection"


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # Found by talking to the bot (2026-11-28). "nurse" and "nursing" stem alike: a
        # nurse was taken for breastfeeding.
        ("can a nurse do trigger point injections", "who-can-bill"),
        ("Can I get TPIs while nursing?", "pregnancy-diabetes"),
        # What to do after the injection, asked by someone breastfeeding.
        ("can i breast feed after a trigger point injection", "pregnancy-diabetes"),
        ("pt has an ma plan, do we need auth for tpi", "insurance-coverage"),
        # The side-effects cue knew "go wrong" only; the before point "who should not" only.
        ("what happens if a trigger point injection goes wrong", "side-effects"),
        ("what are the contraindications for trigger point injections", "before-the-injection"),
        # It got the symptoms of trigger points ("What does a trigger point feel like?").
        ("what does a trigger point injection feel like", "what-happens"),
        ("what does a trigger point feel like", "symptoms"),
        # A review of these cues (230 neighbouring questions) found these worse in their
        # first forms: "should ... not be done" took billing questions, "goes wrong" took
        # any story, "nurse" as a verb was not breastfeeding, "MA" no longer Medicare
        # Advantage.
        ("should tpi not be given in the same session as a nerve block", "same-day-procedures"),
        ("should the e/m not be done on the same day as tpi", "same-day-visit"),
        ("tpi should not be done with imaging guidance right", "imaging-guidance"),
        ("everything goes wrong with my back pain", None),
        ("is it safe to nurse after a trigger point injection", "pregnancy-diabetes"),
        ("MA patient abn needed for tpi", "insurance-coverage"),
        # A second review (150 more): "allowable for" is also "permitted", a cue word
        # ("medicaid") became a typo target for "medicair", and "..." gaps reached across
        # clauses.
        (
            "our claim was reimbursed at 85% of the allowable for 20553 is that right",
            "who-can-bill",
        ),
        ("does medicair cover trigger point injectons", "medicare-limits"),
        (
            "my pain got worse after physical therapy, would a trigger point injection help",
            "treatments",
        ),
        ("what do trigger point injections feel like afterwards", "aftercare"),
        # The Medicare contractors the limits entry names: "novitas" was an unknown word.
        ("does novitas cover trigger point injections", "medicare-limits"),
        ("tpi lcd number noridian", "medicare-limits"),
        # Found by two helpers asking 150 patients' and 140 billing staff's questions:
        # shorthand the typo corrector leaves ("came back", "kinda", "diff", "hosp",
        # "2nd", "yr", "chiro", "no insurance", "regular doctor")...
        ("my trigger point came back after the injection why", "causes"),
        ("what kinda doctor does trigger point injetions", "which-doctor"),
        ("can my regular doctor do trigger point injections", "which-doctor"),
        ("no insurance, how much for tpi", "self-pay-cost"),
        ("20552 vs 20553 whats the diff", "cpt-code"),
        ("pos for tpi in hosp clinic", "place-of-service"),
        ("59 mod on 2nd tpi line?", "modifiers"),
        ("wat is the cpt code for trigger point injection", "cpt-code"),
        # A patient's "how many times" got the units per session (knowledge/points.yaml:
        # the frequency point's billing entries answer only billing questions).
        ("how many times can they inject my upper trap", "relief-duration"),
        ("how many times can you inject the same muscle", "relief-duration"),
        ("how many times a day can 20552 be billed", "billing-units"),
        ("wht is a tpi", "what-is-tpi"),
        ("how many tpi per yr medicare", "medicare-limits"),
        ("can i bill 20553 x 2", "billing-units"),
        # Asked for a relative: "mom", "husband", "son" counted as unknown words.
        ("my mom has fibromyalgia, will the injections help her", "mps-vs-fibromyalgia"),
        ("my husband is terrified of needles, can he still have it done", "before-the-injection"),
        # Chat fillers are not unknown words ("lol" and "banned" kept this one from its answer).
        ("is a trigger point injection a steroid shot lol", "steroid-or-anesthetic"),
        ("what should my mother tell the doctor before her injection", "before-the-injection"),
        (
            "my son had the shots yesterday and now his back is really sore, is that normal",
            "side-effects",
        ),
        # Second-language wordings; "inside" stays unknown elsewhere ("what's inside
        # muscle knots" is not answered).
        ("I have not insurance, how much money for injection", "self-pay-cost"),
        ("what medicine they put inside the injection", "steroid-or-anesthetic"),
        ("What's inside muscle knots?", None),
        # A second review's: "tell the doctor" and "put inside" took other questions.
        (
            "can i tell the doctor to add a steroid to my trigger point injection?",
            "steroid-or-anesthetic",
        ),
        ("what to do at home after my trigger point injection", "aftercare"),
        ("what can i do at home to prepare for the tpi?", "before-the-injection"),
        # "bunch", "worried" counted as unknown words; "lightheaded" is the dizziness.
        ("is fibro just a bunch of trigger points", "mps-vs-fibromyalgia"),
        ("feeling lightheaded after my shots today, should i be worried", "side-effects"),
        # Stretching after the injection is aftercare ("the muscle" took the treatments);
        # before it, not.
        ("is it ok to stretch the muscle after the injection", "aftercare"),
        ("should i stretch before my trigger point injection", None),
        # The dose point leaves billing questions about a dose and "is it safe" alone.
        ("how many mg of kenalog is one unit of J3301", "drug-units"),
        ("we gave 40 mg of kenalog how many units do we bill", "drug-units"),
        ("is it safe to get trigger point injections", "side-effects"),
        # A subject no entry answers counts beside trigger points too.
        ("will trigger point injections show up on a drug test", None),
        # A third patient probe's: blood thinners and diabetes in their own names, "put
        # him to sleep", a "trigger injection".
        ("how many days do i hold plavix before tpi", "before-the-injection"),
        (
            "Ive been on coumadin for years, can i get trigger point injections?",
            "before-the-injection",
        ),
        ("my husband have sugar disease, injection make sugar high?", "pregnancy-diabetes"),
        (
            "dad has dementia and gets confused easy, will they put him to sleep for the injection?",
            "what-happens",
        ),
        ("i am pregnent, can i get a trigger injection", "pregnancy-diabetes"),
        # A third patient probe's plain wordings.
        ("how do i help my mom at home after her trigger point injection", "aftercare"),
        ("how many day pain after the injection is normal", "side-effects"),
        ("does the shot make the muscle weaker for a while", "side-effects"),
        ("is it bad to stretch after the shot", "aftercare"),
        # A Telegram probe's: "fever" was no word of any question.
        ("what if i get a fever after the injection?", "side-effects"),
        # Units of any J code, not only J3301's: the rounding rule is the same; a named
        # drug stays with the entry that has its code (a second review's).
        (
            "what if the dose we gave is different from the HCPCS dosage, how many units?",
            "drug-units",
        ),
        # A fourth patient probe's: getting better without injections is the other
        # treatments; a review's: pills on the day of the injection are told beforehand.
        ("will my neck get better without injections?", "treatments"),
        ("can i take my pills on the day of the injection", "before-the-injection"),
        ("I took a muscle relaxer pill before my shot, is that ok?", "before-the-injection"),
        ("Should I take off work the day of my shot?", "aftercare"),
        # "Would the shots help?" asks whether they work; "would it help to stretch"
        # after the injection stays aftercare.
        (
            "my upper back has knots that wont go away, would trigger point injections help?",
            "effectiveness",
        ),
        ("my shoulder is killing me, would the shots help?", "effectiveness"),
        ("would it help to stretch after the injection", "aftercare"),
        # A second review's: ice after the shot, or the injection while breastfeeding.
        ("Could ice after the shot help?", "aftercare"),
        ("Will the injection help if I'm breastfeeding?", "pregnancy-diabetes"),
        ("Would a steroid shot help if I'm diabetic?", "pregnancy-diabetes"),
        # A review's: a teen in the past, "put the muscle to sleep"; a second one's: an a1c
        # beside the injection is diabetes ("what is a normal a1c?" is answered too, left).
        ("I've had knots since I was a teen, what causes them?", "causes"),
        ("does botox put the muscle to sleep?", None),
        ("my a1c is 9, can i get a trigger point injection with steroid?", "pregnancy-diabetes"),
        # A second review's: a cause, not stretching after the injection; who may bill and
        # an E/M code are not counts, a new patient and XS beside named muscles are.
        ("I stretch after every run but still get knots, why?", None),
        ("who can bill the tpi the NP did on the left trap and rhomboid?", "who-can-bill"),
        ("can the NP bill a new patient visit with tpi to the trapezius?", "who-can-bill"),
        ("thanks for the info, what is 20552?", "cpt-code"),
        ("lidocaine only no steroid, which j code?", "drug-billing"),
        # Children are a subject; a minor procedure or kids named in passing are not.
        (
            "When may I bill Medicare for an exam on the same day as a minor procedure?",
            "same-day-visit",
        ),
        ("Can trigger points cause headaches or trigger migraines?", "referred-pain"),
        # A review of these (265 neighbouring questions) found 22 worse in their first
        # forms: "can my ... doctor do", "how will ... know", "how much for", "came back"
        # and "terrified" as synonyms took questions about something else.
        ("the denial came back for 20553, how do we appeal", "denials-appeals"),
        ("my pain came back after two weeks, can I get another injection", "relief-duration"),
        ("can my doctor do the injection on the same day as my visit", "same-day-visit"),
        ("can my doctor do ultrasound guided trigger point injections", "imaging-guidance"),
        ("can my doctor do injections if I'm pregnant", "pregnancy-diabetes"),
        ("how will I know if the trigger point injection helped", "effectiveness"),
        ("how much for a 2nd unit of 20553", "billing-units"),
        ("how long b4 I can exercise after the injection", "aftercare"),
        ("terrified the injection will hurt", "what-happens"),
        # "What can I do at home" asks the remedies; "... at home after" the aftercare.
        ("what can i do at home for trigger points", "treatments"),
        ("what can i do at home after my injection", "aftercare"),
        ("chiro billing 20552?", "who-can-bill"),
        ("do chiropractors get paid for trigger point injections by medicare", "who-can-bill"),
        ("chiro did an adjustment and the doc did tpis same day billable", "same-day-procedures"),
        # ... and cues whose "..." gap (four words) did not reach over "a trigger point shot".
        ("how does a trigger point shot actually work", "what-is-tpi"),
        ("how do i know if the knot in my shoulder is a trigger point", "diagnosis"),
    ],
)
def test_replies_found_by_talking_to_the_bot(matcher: Matcher, question: str, answer: str | None):
    assert answered_with(matcher, question) == answer


def test_a_short_unknown_word_still_reads_as_its_likeness(matcher: Matcher):
    # "lond" is left by the typo corrector (a word in the English list); letters still
    # bring it near "long", and the entry it asks for is suggested.
    result = matcher.answer("how lond do trigger point injections last")
    assert [c.entry.id for c in result.candidates][:1] == ["relief-duration"]


def test_a_pain_pattern_is_referred_pain(matcher: Matcher):
    # "pattern" was a word no entry knew; the referred pain entry lists it.
    assert answered_with(matcher, "Is my pain pattern from a trigger point?") == "referred-pain"


def test_what_goes_into_a_claim_is_not_what_goes_into_the_injection(matcher: Matcher):
    for candidate in matcher.answer("What goes into the unit column on the claim?").candidates:
        assert not any("point asked: contents" in reason for reason in candidate.reasons)
    [asked] = [
        reason
        for reason in matcher.answer("What goes into a trigger point shot?").candidates[0].reasons
        if "the point asked" in reason
    ]
    assert asked == "answers the point asked: contents"


def answered_with(matcher: Matcher, question: str) -> str | None:
    """The id of the entry a question is answered with; None when it is not answered."""
    result = matcher.answer(question)
    return result.entry.id if result.status is Status.ANSWER and result.entry else None


# The reason given for an entry whose required words a question does not name.
UNNAMED = "names none of the words the entry requires (required_words)"


def not_answered_because(matcher: Matcher, question: str) -> tuple[str, ...]:
    """The reasons of the first candidate of a question that must not be answered."""
    result = matcher.answer(question)
    assert result.status is not Status.ANSWER, question
    return result.candidates[0].reasons


def test_whether_a_bruise_goes_away_is_not_the_prognosis_of_the_condition(matcher: Matcher):
    reasons = " ".join(matcher.answer("Will the bruise go away?").candidates[0].reasons)
    assert "answers the point asked: symptom-after" in reasons
    assert "prognosis" not in reasons
    cured = " ".join(not_answered_because(matcher, "Does myofascial pain go away?"))
    assert "does not answer the point asked: prognosis" in cured


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        # The injection's own effects are side effects, not what trigger points lead to.
        ("Can a trigger point injection cause infection?", "side-effects"),
        ("Can a knot injection cause a collapsed lung?", "side-effects"),
        # Rounding 20552 units is billing-units; a drug's units name the drug.
        (
            "How many units of 20552 should I bill, do I round up for each trigger point?",
            "billing-units",
        ),
        ("How many units of the drug do I bill for 4 mg of dexamethasone J1100?", "drug-billing"),
        ("What exactly is a knot injection?", "what-is-tpi"),
        ("What kinds of pain after the injection are normal?", "side-effects"),
        # "ok to take ... after" is about the patient; billing one code after another is not.
        ("Is it ok to bill 20552 after an E/M visit?", "same-day-visit"),
        ("Is it ok to take another trigger point injection after 6 weeks?", "relief-duration"),
        # Coders' "procedure for" and a condition's "what's it like" are not the procedure.
        ("What is the procedure for TPI documentation?", "documentation"),
        ("What's it like to have fibromyalgia?", "mps-vs-fibromyalgia"),
        # "Kinds of doctors" before documentation is not who gives the injection.
        (
            "What kinds of doctors documentation supports medical necessity for 20553?",
            "denials-appeals",
        ),
        # A label before a colon names the subject; an opener ("Quick question:") does not.
        ("Medicare: is 20553 covered?", "insurance-coverage"),
        ("Pregnancy: is it safe?", "pregnancy-diabetes"),
        ("Hello! Quick question: what cpt do we use for trigger point injections", "cpt-code"),
        # The side effects' own time, not how soon the injection works.
        ("How long before the side effects go away?", "side-effects"),
        ("How soon will I feel the side effects?", "side-effects"),
        # Going back to work is aftercare (the synonym "job"); "work" alone still asks
        # whether they work.
        ("How long after trigger point injections can I go back to work?", "aftercare"),
        ("Will I have to miss work after trigger point injections?", "aftercare"),
        ("Do trigger point injections work?", "effectiveness"),
        # Why a knot hurts is what a knot is; whether the injection hurts is pain during.
        ("Why do trigger points hurt?", "symptoms"),
        ("Does a trigger point injection hurt?", "what-happens"),
        # Referral pain is referred pain; a referral is who sends you.
        ("What is referral pain?", "referred-pain"),
        ("Do I need a referral for trigger point injections?", "which-doctor"),
        ("What happens after the shot?", "aftercare"),
        ("What happens after my insurance denies the claim?", "denials-appeals"),
        ("What types of injections can be billed with 96372?", "im-injection-96372"),
        # What a patient feels after the shot is a side effect; what to do then, aftercare.
        ("My neck hurts after the shot yesterday and I feel dizzy", "side-effects"),
        ("Can I exercise after my injection?", "aftercare"),
        # A review's neighbours of this session's cues ("what happens after", "how is ...
        # administered", "really help", "duration", "why does ... knot hurt").
        ("What happens after a denial for medical necessity?", "denials-appeals"),
        ("What kinds of trigger point injection codes are there?", "cpt-code"),
        ("How is Toradol administered and coded with a TPI?", "im-injection-96372"),
        ("How is ultrasound guidance administered and billed with TPI?", "imaging-guidance"),
        ("Does ice really help after a TPI?", "aftercare"),
        ("Duration of soreness after TPI", "side-effects"),
        ("Why does my shoulder knot hurt after the TPI?", "side-effects"),
        # A second review's: pain after something else is not a side effect of the shot.
        ("My knot hurts even after stretching, what can I do?", "treatments"),
        # A billing question ("bill", "CPT", a code) asks no point only patients' entries
        # answer: the procedure or the effect is not what it asks.
        (
            "How are trigger point injections administered and which CPT code do we use?",
            "cpt-code",
        ),
        (
            "How is ultrasound guided trigger point injection administered and billed?",
            "imaging-guidance",
        ),
        ("Does modifier 59 really work for getting it paid?", "modifiers"),
        # A denial or an appeal is billing too ("denied" is not: "My husband was denied a
        # TPI, what happens during one?" asks the procedure).
        ("How do I appeal a TPI denial, and how long does it take?", "denials-appeals"),
        ("My husband was denied a TPI, what happens during one?", "what-happens"),
        # Beside trigger point injections another procedure's name is a billing word (see
        # test_another_procedure_asked_about_alone_is_not_a_billing_question).
        ("nerve block and trigger point injection same day", "same-day-procedures"),
        ("Is dry needling the same as a trigger point injection?", "dry-needling"),
        ("Can a physical therapist do trigger point injections?", "who-can-bill"),
        ("Can a physical therapist do dry needling?", "dry-needling"),
        ("does medicare cover dry needling", "dry-needling"),
    ],
)
def test_the_newer_cues_leave_neighbouring_questions_alone(
    matcher: Matcher, question: str, entry_id: str
):
    assert answered_with(matcher, question) == entry_id


def test_the_purpose_of_a_modifier_is_coding_not_the_purpose_of_the_injection(
    matcher: Matcher,
):
    assert answered_with(matcher, "What is the purpose of modifier 59 on a TPI claim?") == (
        "modifiers"
    )
    assert answered_with(matcher, "What's the goal of a trigger point injection?") == (
        "what-is-tpi"
    )


def test_a_point_no_entry_answers_is_never_answered(matcher: Matcher):
    # Whether myofascial pain can be cured: the relief and treatment entries share the
    # words but not the point, so they are at most suggested.
    cured = not_answered_because(matcher, "Can myofascial pain syndrome be cured?")
    assert "does not answer the point asked: prognosis" in cured
    # "permanent" alone still asks how long relief lasts.
    assert answered_with(matcher, "Is the relief permanent?") == "relief-duration"
    # How soon it starts to work: not how long the procedure takes, nor how long relief lasts.
    for question in (
        "how long does it take to work?",
        "How long does it take for trigger point injections to work?",
        "How long does it take for a TPI to kick in?",
        "How long before I feel the effects of a trigger point injection?",
        "how long does it take for a trigger point injection to start working",
    ):
        assert "does not answer the point asked: onset" in " ".join(
            not_answered_because(matcher, question)
        )
    assert answered_with(matcher, "How long does the TPI procedure take?") == "what-happens"
    # A probe's: "how long does a ... take" is the procedure too (it got the relief).
    assert answered_with(matcher, "how long does a trigger point injection take") == "what-happens"
    # The needle's size: no fact says (it got the walk-through of the procedure).
    for question in (
        "how big is the needle they use for trigger point injections pls tell me",
        "how long is the needle actually in for",
    ):
        assert "does not answer the point asked: needle" in " ".join(
            not_answered_because(matcher, question)
        )


@pytest.mark.parametrize(
    ("question", "named"),
    [
        # No fee amounts are in the facts. "Whats the rvu for 20552" got the CPT code entry
        # and the first with the Medicare limits; a code makes it a billing question,
        # which keeps this point because it is marked for staff, though no entry answers.
        ("how much does medicare pay for 20552", "Fee Schedule"),
        ("whats the reimbursement for 20553", "Fee Schedule"),
        ("whats the rvu for 20552", "Fee Schedule"),
        ("what is the medicare allowable for trigger point injections", "Fee Schedule"),
        # "How much lidocaine is safe" got the side effects entry (its cue "safe to"); the
        # bot gives no doses, so the reply says the clinician chooses.
        ("how much lidocaine is safe to inject at one time", "dose"),
        ("whats the max dose of kenalog for a tpi", "dose"),
        ("what dosage of steroid do they use in trigger point injections", "dose"),
    ],
)
def test_a_payment_or_a_dose_is_never_answered_and_the_reply_says_so(
    matcher: Matcher, question: str, named: str
):
    result = matcher.answer(question)
    assert result.status is not Status.ANSWER
    assert result.unanswered_points and named in result.unanswered_points[0]


def test_it_without_a_subject_is_about_trigger_point_injections(matcher: Matcher):
    # "it" refers to the bot's subject: never the dry-needling entry, whose alternate
    # "Does Medicare cover dry needling?" shares every other word.
    result = matcher.answer("is it covered by medicare")
    assert all(c.entry.id != "dry-needling" for c in result.candidates[:1])
    assert {c.entry.id for c in result.candidates} & {"medicare-limits", "insurance-coverage"}
    # Stop words alone name nothing, not even it: "the" got what a TPI is.
    assert answered_with(matcher, "How is it done?") == "what-happens"
    for nothing in ("the", "ok", "lol"):
        result = matcher.answer(nothing)
        assert result.status is Status.NONE and not result.candidates, nothing


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("how much does physical therapy cost without insurance", "physical therapy"),
        ("how do I appeal a denied MRI claim", "mri"),
        ("does dry needling hurt", "dry needling"),
        # "it" is the cost asked, not a trigger point injection
        ("how much does it cost to get an MRI", "mri"),
        # "it" refers to the EMG named before the question
        ("My doctor ordered an EMG. What is it and what can I expect?", "emg"),
        # A tendon condition, despite "trigger" (real_reserve.yaml, round 12)
        ("How many times can you inject a trigger finger?", "trigger finger"),
        # "show up" and "test" are the imaging entry's words; a drug test is not imaging
        ("will it show up on a drug test", "drug tests"),
        # A probe's teenager got what a TPI is; the facts say nothing on age.
        ("im 16 can i get trigger point injections", "children or teenagers"),
        ("can my 15 year old get trigger point injections", "children or teenagers"),
        # A staff probe's: prolotherapy got the Botox entry.
        (
            "Is there a CPT or HCPCS code for prolotherapy, and will Medicare cover it?",
            "prolotherapy",
        ),
    ],
)
def test_a_question_about_another_subject_is_not_answered_by_a_tpi_entry(
    matcher: Matcher, question: str, subject: str
):
    # The best candidates answer the same point for trigger point injections: suggested,
    # with the reason, never given as the answer.
    result = matcher.answer(question)
    assert result.status is not Status.ANSWER
    assert f"about another subject: {subject}" in result.candidates[0].reasons


def test_an_entry_that_names_the_other_subject_still_answers(matcher: Matcher):
    result = matcher.answer("does physical therapy help trigger points")
    assert result.status is Status.ANSWER and result.entry.id == "treatments"
    needling = matcher.answer("what code should a physical therapist use for dry needling")
    assert needling.status is Status.ANSWER and needling.entry.id == "dry-needling"
    # A code the knowledge lists keeps a staff question in the domain.
    units = matcher.answer("How many units of J3301 for a steroid injection?")
    assert units.status is Status.ANSWER and units.entry.id == "drug-units"
    # Naming trigger point injections makes them the subject again.
    cost = matcher.answer("does a trigger point injection cost more than physical therapy")
    assert not any("another subject" in reason for reason in cost.candidates[0].reasons)


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("Is a trigger point injection painless?", "what-happens"),
        ("What is the aim of a trigger point injection?", "what-is-tpi"),
    ],
)
def test_the_words_of_a_cue_found_are_not_unknown(matcher: Matcher, question: str, entry: str):
    # No entry uses "painless" or "aim"; the cues of pain-during and purpose do.
    query = matcher._reader.read(question)
    assert query.points and not query.unknown
    assert answered_with(matcher, question) == entry
    # A cue word outside any cue found is unknown as before.
    assert "aim" in matcher._reader.read("What is my aim?").unknown


def test_an_entry_listed_as_answering_another_subject_answers_it_when_first(matcher: Matcher):
    # points.yaml, other_subject_answers: a steroid shot raises blood sugar wherever it goes.
    assert answered_with(matcher, "Can a steroid shot raise my blood sugar?") == (
        "pregnancy-diabetes"
    )
    # Other questions about cortisone shots still get suggestions, marked.
    cost = matcher.answer("How much does a cortisone shot cost?")
    assert cost.status is not Status.ANSWER
    assert cost.other_subjects == ("cortisone shots in joints or the spine",)


def test_a_billing_entry_ranks_below_the_patients_entry_without_billing_words(
    matcher: Matcher,
):
    # who-can-bill shares every word; which-doctor is the patients' entry on it.
    lay = "What kind of doctor gives trigger point injections?"
    assert answered_with(matcher, lay) == "which-doctor"
    staff = "Can a nurse practitioner bill trigger point injections?"
    assert answered_with(matcher, staff) == "who-can-bill"
    # A billing entry's own keyword, asked alone, still reaches it.
    assert matcher.answer("JW modifier").entry.id == "drug-wastage"


def test_an_entry_about_another_subject_answers_only_questions_naming_it(matcher: Matcher):
    # dry-needling's alternates share "Medicare", "cover", "bill" and "20552" with TPI
    # billing questions that never mention needling.
    for question in ("Is 20552 covered by Medicare?", "Who can bill trigger point injections?"):
        assert answered_with(matcher, question) not in (None, "dry-needling"), question
    # It still answers its subject, and the other subjects it names (acupuncture).
    for question in (
        "does medicare cover dry needling",
        "Who may furnish acupuncture for low back pain?",
    ):
        assert answered_with(matcher, question) == "dry-needling", question
    # The answer lists only the best entry; the full ranking still has dry needling, marked.
    scored = matcher._score(matcher._reader.read("Is 20552 covered by Medicare?"), 12)
    assert scored is not None
    [needling] = [c for c in scored.candidates if c.entry.id == "dry-needling"]
    assert "about dry needling, which the question does not name" in needling.reasons


def test_units_of_a_named_drug_are_not_answered_with_j3301_alone(matcher: Matcher):
    # A second review's: the keyword "drug units" took dexamethasone (J1100, in the
    # drug-billing entry) to the J3301 entry.
    result = matcher.answer("We gave 2 mg of dexamethasone, how many drug units?")
    assert result.entry is None or result.entry.id != "drug-units"
    assert "drug-billing" in [c.entry.id for c in result.candidates]


def test_trigger_point_therapy_is_massage_unless_beside_an_injection(matcher: Matcher):
    # "trigger point therapy" names trigger points only as part of another subject: the
    # injection's pain or frequency is not its answer.
    for question in (
        "Is it painful when trigger point therapy is performed?",
        "How often should you do trigger point therapy?",
    ):
        result = matcher.answer(question)
        assert result.status is not Status.ANSWER, question
        assert result.other_subjects == ("trigger point massage",), question
    # Beside an injection, a needle or the drug, it is the injection (a review's).
    for question, entry in (
        ("How long do trigger point therapy injections last?", "relief-duration"),
        ("does trigger point therapy with needles hurt", "what-happens"),
        # A second review's: another subject's phrase beside it, Botox, saline.
        ("Trigger point therapy with steroid injections, how often?", "relief-duration"),
        ("trigger point therapy with Botox, is it covered by insurance?", "botox"),
        ("Trigger point therapy with saline, is it safe?", "side-effects"),
        (
            "my doctor does trigger point therapy with lidocaine and kenalog, how long does it last",
            "relief-duration",
        ),
    ):
        assert answered_with(matcher, question) == entry, question


def test_an_entry_with_required_words_answers_only_questions_naming_them(matcher: Matcher):
    # points.yaml, required_words: the same-day entries are about a TPI beside another
    # service; a question about that service alone is offered them, not answered.
    for question in (
        "Can I bill for nerve blocks?",
        "Can I bill for Digital Nerve Blocks?",
        "Can a physician ever bill more than one office E/M code for a patient in the same day?",
    ):
        result = matcher.answer(question)
        assert result.status is Status.SUGGEST, question
        reasons = result.candidates[0].reasons
        assert UNNAMED in reasons, question
    # Named, or with a code, or the visit's own modifier, they answer.
    for question, entry in (
        ("can I bill a nerve block with a tpi?", "same-day-procedures"),
        ("nerve block and 20552 on the same claim?", "same-day-procedures"),
        ("What is modifier 25?", "same-day-visit"),
        # A review's: staff shorthand names them after synonyms.
        ("E/M + TP inj same day, need mod 25?", "same-day-visit"),
        ("nerve block and TP inj same day, need XS?", "same-day-procedures"),
        ("Is it ok to bill the office visit when we also did the knots?", "same-day-visit"),
        ("global days for tp inj", "same-day-visit"),
        ("What modifier do I put on the office visit?", "same-day-visit"),
        # A second review's: "TPs", "T.P.I.", a muscle, "the 25", "XS or 59".
        ("Dr saw the pt and did TPs, can we bill the visit too?", "same-day-visit"),
        ("Can I bill the T.P.I. with the office visit?", "same-day-visit"),
        ("E/M with TrPs same day?", "same-day-visit"),
        ("Do I need the 25 on the E/M?", "same-day-visit"),
        ("Can I use XS instead of 59?", "same-day-procedures"),
        ("Botox and E/M same day?", "same-day-visit"),
        (
            "When may I bill Medicare for an exam on the same day as a minor procedure?",
            "same-day-visit",
        ),
    ):
        assert answered_with(matcher, question) == entry, question


def test_the_pregnancy_and_diabetes_entry_needs_the_injection_or_it_named(matcher: Matcher):
    # required_words: a question on blood sugar alone is offered the entry, not answered.
    result = matcher.answer("what is a normal a1c?")
    assert result.status is Status.SUGGEST
    assert UNNAMED in result.candidates[0].reasons
    # Named, it is answered: see ANSWERED_AS_ASKED.


def test_the_fibromyalgia_entry_needs_fibromyalgia_or_tender_points_named(matcher: Matcher):
    # required_words: its many "difference" wordings took comparisons of other things.
    for question in (
        "Difference between a nerve block and a TPI?",
        "Trigger Point vs. Muscle Knots: What's The Difference?",
        "Can you work with myofascial pain?",
    ):
        assert answered_with(matcher, question) != "mps-vs-fibromyalgia", question
    # Named, it is answered: see ANSWERED_AS_ASKED.


def test_a_single_word_many_entries_share_is_offered_them_not_answered(matcher: Matcher):
    # "modifier" had the JW/JZ entry as its answer, "pain" the doctor's questions.
    for word, offered in (
        ("modifier", "modifiers"),
        ("units", "drug-units"),
        ("code", "cpt-code"),
        ("pain", "symptoms"),
        ("steroid", "steroid-or-anesthetic"),
    ):
        result = matcher.answer(word)
        assert result.status is Status.SUGGEST, word
        assert offered in [c.entry.id for c in result.candidates], word
    # A word few entries have, the subject itself, or a point asked still answer.
    for question, entry in (
        ("insurance", "insurance-coverage"),
        ("tpi", "what-is-tpi"),
        ("cost", "self-pay-cost"),
        ("tpi code", "cpt-code"),
        ("units of 20553", "billing-units"),
    ):
        assert answered_with(matcher, question) == entry, question


def test_another_procedure_beside_a_tpi_is_a_billing_word_only_in_a_coders_question(
    matcher: Matcher,
):
    # A patient's choice in the first person is not the NCCI entry's question.
    patient = matcher.answer(
        "trigger point injection or nerve block - which one do I need for my neck pain?"
    )
    assert patient.status is not Status.ANSWER
    # A coder's question is the NCCI entry's: see ANSWERED_AS_ASKED.


def test_whether_massage_hurts_asks_the_pain_not_the_treatments(matcher: Matcher):
    # "Is Myofascial Trigger Point Therapy painful?" (reserve) got the treatments entry.
    for question in (
        "Is Myofascial Trigger Point Therapy painful?",
        "does trigger point massage hurt",
    ):
        result = matcher.answer(question)
        assert result.status is Status.SUGGEST, question
        assert "trigger point massage" in result.other_subjects, question
    assert answered_with(matcher, "is trigger point injection therapy painful") == "what-happens"


def test_how_common_a_complication_is_asks_the_side_effects(matcher: Matcher):
    # A second probe's: "how common is that" after an infection got the prevalence of
    # myofascial pain (30-93%), which reads like an infection rate.
    for question in (
        "My friend got an infection from a trigger point injection, how common is that?",
        "Im terrified the injection will make my pain permanent or worse",
    ):
        assert answered_with(matcher, question) == "side-effects", question
    assert answered_with(matcher, "How common are trigger points?") == "prevalence"


def test_doubts_get_the_evidence(matcher: Matcher):
    # A second probe's skeptics: no answer, or what a TPI is.
    for question, entry in (
        ("Is this trigger point injection thing a scam?", "effectiveness"),
        ("Is it true trigger point injections are experimental and not proven?", "effectiveness"),
        # A chiropractor who says something does not ask who may inject.
        ("My chiropractor says TPIs are pointless, is he right?", "effectiveness"),
        ("Can a chiropractor do trigger point injections?", "who-can-bill"),
        ("do chiropractors get paid for trigger point injections by medicare", "who-can-bill"),
    ):
        assert answered_with(matcher, question) == entry, question
    # Harms the side-effects entry does not name are not answered with it (as "Can
    # trigger point injections hit a nerve?" in the tuning half is labelled).
    for question in (
        "Can trigger point injections cause nerve damage?",
        "Can a trigger point injection paralyse me?",
    ):
        assert matcher.answer(question).status is not Status.ANSWER, question


def test_probe_31_wordings(matcher: Matcher):
    # A helper's probe: "everybody" is no unknown word, "medicare adv" is Medicare
    # Advantage, and the onset point takes a longer gap before "start working".
    assert answered_with(
        matcher, "how common are trigger points like does everybody have them"
    ) == ("prevalence")
    assert answered_with(matcher, "pt w/ medicare adv asking about abn for tpi") == (
        "insurance-coverage"
    )
    # Thanks and "one more question" say nothing about what is asked.
    polite = "Thank you for your help earlier. One more question please: how should I prepare"
    assert answered_with(matcher, polite + " for the injection?") == "before-the-injection"
    # "besides needles" asks the other treatments; "appt" is an appointment.
    aunt = (
        "I'm caring for my elderly aunt who has terrible knots in her upper back. Are there"
        " other treatments besides needles? She is very frightened of them."
    )
    assert answered_with(matcher, aunt) == "treatments"
    appointment = matcher.answer("how long is appt for tpi, need to block schedule")
    assert appointment.candidates and appointment.candidates[0].entry.id == "what-happens"
    # A review's: working out is exercise, and an ABN is no Medicare Advantage plan.
    gym = "how soon after trigger point injections can I start working out again at the gym"
    assert answered_with(matcher, gym) == "aftercare"
    assert answered_with(matcher, "do I need a medicare adv notice for tpi") != (
        "insurance-coverage"
    )
    # A third probe's FAQ heading: how soon relief comes is the onset, not how long it lasts.
    for onset in (
        "How Soon Will I Feel Relief After a Trigger Point Injection?",
        "How long until I feel relief?",
    ):
        assert matcher.answer(onset).unanswered_points == (
            "how soon an injection starts to work",
        ), onset
    assert answered_with(matcher, "How long does the relief last?") == "relief-duration"
    # What another treatment is: the treatments entry only names it.
    for question in (
        "What Is Spray and Stretch Therapy?",
        "What is Trigger Point Therapy?",
        "How does spray and stretch work?",
    ):
        technique = matcher.answer(question)
        assert technique.status is not Status.ANSWER, question
        assert technique.unanswered_points, question
    assert answered_with(matcher, "Does massage help trigger points?") == "treatments"
    # An MRI before the injection is the imaging entry's question, not what to tell first.
    assert answered_with(matcher, "Will I Need an MRI Before Trigger Point Injections?") == (
        "tests-and-imaging"
    )
    assert answered_with(matcher, "What should I do before my trigger point injection?") == (
        "before-the-injection"
    )
    result = matcher.answer("how soon does the trigger point injection start working")
    assert result.status is not Status.ANSWER
    assert result.unanswered_points == ("how soon an injection starts to work",)


def test_a_billing_entry_answers_only_a_question_in_billing_words(matcher: Matcher):
    # A patient's question that shares words with a billing entry ("improve", "pain")
    # is not answered with it; the same entry still answers staff.
    lay = not_answered_because(matcher, "Is there anything I can do to improve my pain?")
    assert "an answer for billing staff; no billing words asked" in lay
    staff = "what needs to be documented for trigger point injections"
    assert answered_with(matcher, staff) == "documentation"


@pytest.mark.parametrize(
    "question",
    ["What does Dry Needling feel like?", "What are Nerve Blocks?", "Is it Acupuncture?"],
)
def test_another_procedure_asked_about_alone_is_not_a_billing_question(
    matcher: Matcher, question: str
):
    # From the reserve: the billing entries that name these procedures (dry-needling's
    # codes, same-day-procedures' edits) answer neither what they are nor how they feel.
    assert not matcher._reader.read(question).asks_staff
    reasons = not_answered_because(matcher, question)
    assert "an answer for billing staff; no billing words asked" in reasons


@pytest.mark.parametrize(
    ("opening", "entry_id", "point"),
    [
        ("… Since we are based in WV", "dry-needling", "coverage"),
        ("Our nurse practitioner (NP) often sees", "who-can-bill", "who"),
    ],
)
def test_the_questions_the_readme_traces_go_where_it_says(
    matcher: Matcher, opening: str, entry_id: str, point: str
):
    # README, "Two real questions traced": the answer and the point it names.
    items = yaml.safe_load((ROOT / "tests" / "data" / "real_tuning.yaml").read_text("utf-8"))
    [question] = [item["q"] for item in items if item["q"].startswith(opening)]
    result = matcher.answer(question)
    assert result.status is Status.ANSWER and result.entry is not None
    assert result.entry.id == entry_id
    assert f"answers the point asked: {point}" in result.candidates[0].reasons


def test_a_listed_code_is_offered_when_the_rest_of_a_long_question_is_unclear(
    matcher: Matcher, knowledge: KnowledgeBase
):
    # A real staff question (tests/data/real_tuning.yaml): too much else for an answer,
    # but J0585 is a keyword of the Botox entry and 20552/20553 of the CPT code entry.
    question = (
        "I'm confused because if I use 20552/20553 with J0585 for Botox, the claim often gets"
        " a denial. If I use 64646 with J0585, it sometimes clears, but the pelvic floor"
        " muscles aren't technically trunk muscles. How should I report these injections"
        " correctly?"
    )
    result = matcher.answer(question)
    assert result.status is Status.SUGGEST
    assert {c.entry.id for c in result.candidates} == {"botox", "cpt-code"}
    assert result.unknown_codes == ("64646",)
    lead = render_plain(reply_for(result, knowledge))
    assert lead.startswith("Sorry, I have no information about 64646. The closest I have:")
    # Without a code the knowledge lists there is nothing to offer.
    assert matcher.answer("what is 64646").status is Status.NONE


def test_below_the_threshold_only_the_entries_of_named_codes_are_offered(knowledge: KnowledgeBase):
    entry = {e.id: e for e in knowledge.entries}
    ranked = [
        Candidate(entry["botox"], 32.0, "", ()),
        Candidate(entry["modifiers"], 30.0, "", ()),
        Candidate(entry["cpt-code"], 20.0, "", ()),
    ]
    limits, staff = Thresholds(), frozenset[str]()
    # J0585 (Botox) and 20552 (CPT code) named: the Botox entry; the CPT code entry scores
    # too little, and the modifiers entry lists no code the question names.
    named = Scored(ranked, 5.0, ("64646",), code_entries=frozenset({"botox", "cpt-code"}))
    result = decide("…", named, limits, staff)
    assert result.status is Status.SUGGEST
    assert [c.entry.id for c in result.candidates] == ["botox"]
    # No code the knowledge lists: nothing is offered.
    result = decide("…", Scored(ranked, 5.0, ("64646",)), limits, staff)
    assert result.status is Status.NONE
    # At most max_suggestions of them.
    many = frozenset({"botox", "modifiers"})
    one = decide(
        "…", Scored(ranked, 5.0, (), code_entries=many), Thresholds(max_suggestions=1), staff
    )
    assert [c.entry.id for c in one.candidates] == ["botox"]


def test_a_long_message_is_offered_entries_a_short_one_scoring_the_same_is_not(
    knowledge: KnowledgeBase,
):
    entry = {e.id: e for e in knowledge.entries}
    ranked = [
        Candidate(entry["drug-units"], 42.0, "", ()),
        Candidate(entry["drug-wastage"], 38.0, "", ()),
        Candidate(entry["cpt-code"], 30.0, "", ()),
    ]
    scored, limits, staff = Scored(ranked, 5.0, ()), Thresholds(), frozenset[str]()
    short = decide("how do we bill the vial?", scored, limits, staff)
    assert short.status is Status.NONE
    long = decide(" ".join(["word"] * 31), scored, limits, staff)
    assert long.status is Status.SUGGEST
    # Down to 15 points below the suggestion threshold, not further.
    assert [c.entry.id for c in long.candidates] == ["drug-units", "drug-wastage"]
    # A mid-length one (12 to 30 words): down to 10 points below.
    middle = decide(" ".join(["word"] * 12), scored, limits, staff)
    assert middle.status is Status.SUGGEST
    assert [c.entry.id for c in middle.candidates] == ["drug-units"]
    assert decide(" ".join(["word"] * 11), scored, limits, staff).status is Status.NONE
    # Not when the question is in words the knowledge does not know.
    unknown = Scored(ranked, 5.0, (), unknown_share=0.5)
    assert decide(" ".join(["word"] * 12), unknown, limits, staff).status is Status.NONE


def test_a_long_staff_question_below_the_threshold_gets_its_entries_offered(
    matcher: Matcher, knowledge: KnowledgeBase
):
    question = (  # tests/data/real_tuning.yaml (an AAPC coding-alert reader question)
        "What is the correct way to bill multidose vial drug amounts on a HCFA-1500? If a"
        " code has a billing unit of 500 mg and is a multidose vial, but you only use 375"
        " mg, what goes into the unit column? Should you recalculate your fee based on the"
        " lower dose?"
    )
    result = matcher.answer(question)
    assert result.status is Status.SUGGEST
    assert result.best is not None and result.best.raw_score < matcher.thresholds.suggest
    assert "drug-units" in {c.entry.id for c in result.candidates}
    shown = render_plain(reply_for(result, knowledge))
    assert shown.startswith("Did you mean one of these? If none fits, ask just the question")


@pytest.mark.parametrize(
    "question",
    ["What does his trigger point injection feel like?", "what do your shots feel like"],
)
def test_a_cue_naming_a_group_covers_each_way_of_naming_the_injection(
    matcher: Matcher, question: str
):
    # One cue, "<what do> <the injection> feel like", stands for every word before the
    # injection: "his" and "your" were in none of the cues it replaced ("What does his
    # trigger point injection feel like?" got what a knot feels like).
    assert matcher._reader.read(question).points == ("procedure",)
    assert answered_with(matcher, question) == "what-happens"


def test_what_a_treatment_named_by_the_treatments_entry_means_is_not_answered(matcher: Matcher):
    result = matcher.answer("What does spray and stretch mean?")
    assert result.status is Status.NONE
    assert result.unanswered_points and "spray and stretch" in result.unanswered_points[0]


def test_how_long_the_knots_last_is_the_prognosis_not_the_relief(matcher: Matcher):
    result = matcher.answer("how long do knots last")
    assert result.status is Status.NONE
    assert result.unanswered_points == (
        "whether myofascial pain can be cured or goes away for good",
    )
    # How long the injection's relief lasts is still the relief entry.
    assert answered_with(matcher, "how long do trigger point injections last") == (
        "relief-duration"
    )


def test_physical_therapy_alone_does_not_get_the_dry_needling_entry(matcher: Matcher):
    # Its wordings name physical therapists, so it was the answer about physical therapy.
    result = matcher.answer("Does Medicare cover physical therapy?")
    assert result.status is Status.SUGGEST
    assert answered_with(matcher, "Is dry needling covered by Medicare?") == "dry-needling"
    assert answered_with(matcher, "Can a physical therapist bill for dry needling?") == (
        "dry-needling"
    )


@pytest.mark.parametrize(
    "question",
    [
        "does dry needling work for knots",
        "How often should I get a massage for my knots?",
        "Can a chiropractor fix trigger points?",
    ],
)
def test_another_subject_named_before_the_knots_is_what_is_asked_about(
    matcher: Matcher, question: str
):
    # The knots are what the other treatment is for: no entry about the injection (its
    # effect, how often it is repeated, who gives it) answers it.
    assert matcher.answer(question).status is Status.SUGGEST


def test_what_an_injection_causes_is_not_what_causes_knots(matcher: Matcher):
    assert matcher.answer("Can trigger point injections cause knots?").status is Status.SUGGEST
    knot = matcher.answer("How long does a knot in the neck last?")
    assert knot.status is Status.NONE and knot.unanswered_points


def test_filler_words_change_nothing_a_question_asks(matcher: Matcher):
    # "usually" broke the soreness cue, and counted as a word of the relief entry's
    # "How long does TPI relief usually last?".
    asked = "how long does that soreness usually last after a trigger point injection?"
    assert matcher._reader.read(asked).points == ("soreness",)
    assert answered_with(matcher, asked) == "side-effects"
    # Where a trigger point usually is: no longer how long the relief usually lasts.
    where = matcher.answer("where is the trigger point usually in the trapezius")
    assert where.status is Status.SUGGEST
    assert all(c.entry.id != "relief-duration" for c in where.candidates)


@pytest.mark.parametrize(
    ("question", "points"),
    [
        # "How much will/does" asks the price only of the injection or "it" being paid for.
        ("how much will it affect my blood sugar", ()),
        ("how much will it help", ("effect",)),
        ("how much will a trigger point injection set me back", ("cost",)),
        ("how much would it be without insurance", ("cost",)),
        ("how much do trigger point injections run", ("cost",)),
    ],
)
def test_how_much_asks_the_cost_only_of_a_price(
    matcher: Matcher, question: str, points: tuple[str, ...]
):
    assert matcher._reader.read(question).points == points


@pytest.mark.parametrize(
    "question",
    [
        "is it normal to bruise after massaging a knot",  # massag*, not massage*
        "what is costochondritis",  # no longer the cost cue cost*
        "what is a toradol shot used for",  # the IM injection entry is for billing
        "how long do tension headaches last",
        "how hard should you massage a knot",
    ],
)
def test_near_domain_questions_from_a_probe_get_no_answer(matcher: Matcher, question: str):
    assert matcher.answer(question).status is not Status.ANSWER


def test_whether_it_is_done_in_hospital_is_the_procedure_and_pos_is_billing(matcher: Matcher):
    # The patients' question keeps the procedure point; "POS" makes the staff one billing.
    assert answered_with(matcher, "Is a trigger point injection done in hospital?") == (
        "what-happens"
    )
    assert answered_with(matcher, "pos for tpi in hospital outpatient clinic") == (
        "place-of-service"
    )
    # How to massage a knot, asked any way, is the technique no entry answers.
    for asked in ("How do you massage a knot?", "how can i massage a knot"):
        assert matcher.answer(asked).status is Status.NONE, asked


def test_how_long_records_are_kept_is_not_answered(matcher: Matcher):
    result = matcher.answer("how long do we need to retain TPI procedure notes?")
    assert result.status is Status.NONE
    assert result.unanswered_points == ("how long records must be kept",)


def test_retaining_water_is_not_keeping_records(matcher: Matcher):
    assert not matcher.answer("Will the steroid make me retain water?").unanswered_points
    assert matcher.answer("Is there a new version of this bot?").status is not Status.ANSWER


# Questions, each with the entry that answers it (most from probes and reviews).
ANSWERED_AS_ASKED = [
    # The pregnancy and diabetes entry, its required words named (the injection, a drug,
    # "the medicine", pregnancy, breastfeeding, blood sugar, "it").
    ("im pregnant is that ok", "pregnancy-diabetes"),
    ("can I get these while breastfeeding", "pregnancy-diabetes"),
    ("Is it safe during pregnancy?", "pregnancy-diabetes"),
    ("Do cortisone shots raise blood sugar?", "pregnancy-diabetes"),
    ("I'm diabetic, can I get a steroid trigger point shot?", "pregnancy-diabetes"),
    ("does dexamethasone raise blood sugar", "pregnancy-diabetes"),
    # Pregnancy or diabetes beside the injection or a drug is the point asked.
    ("type 2 diabetic, any problem with trigger point injections?", "pregnancy-diabetes"),
    ("Can a diabetic get dexamethasone?", "pregnancy-diabetes"),
    ("Is it out of the question to get an injection while pregnant?", "pregnancy-diabetes"),
    ("Is the medication safe during pregnancy?", "pregnancy-diabetes"),
    ("will my blood sugar go up", "pregnancy-diabetes"),
    # The fibromyalgia entry, fibromyalgia or tender points named.
    ("Is myofascial pain syndrome the same as fibromyalgia?", "mps-vs-fibromyalgia"),
    ("Trigger points vs tender points - what's the difference?", "mps-vs-fibromyalgia"),
    ("is mps the same as fibro", "mps-vs-fibromyalgia"),
    # Another procedure beside a TPI, in a coder's question.
    ("Can I bill a nerve block with a tpi?", "same-day-procedures"),
    ("I did a nerve block and tpi same day, xs?", "same-day-procedures"),
    # What a term means is asked as what it is.
    # "mean" was a word of two alternates ("What does modifier 25 mean on the office
    # visit?"), so it pulled the same-day-visit entry.
    ("What does 20552 mean?", "cpt-code"),
    ("What does modifier 59 mean?", "modifiers"),
    ("define ABN", "medicare-limits"),
    ("fibromyalgia meaning", "mps-vs-fibromyalgia"),
    # Asking what the bot's own subject means asks what a knot is.
    ("What does trigger point mean?", "symptoms"),
    ("definition of a knot", "symptoms"),
    # When the injection is needed is the indication (treatments); why, its purpose.
    # When one needs the injection: for pain other care has not relieved.
    ("When are trigger point shots needed?", "treatments"),
    ("when should i consider trigger point injections", "treatments"),
    # Why one would: what the injection is for.
    ("Why would I need trigger point injections?", "what-is-tpi"),
    # Whether a steroid is needed in one is another point.
    ("When is a steroid necessary in a TPI?", "steroid-or-anesthetic"),
    # Whether the injection suits the asker: whether it works, or who should not have it
    # ("Is a TPI right for me?" got what a TPI is).
    ("Is a trigger point injection right for my neck pain?", "effectiveness"),
    ("Should I get trigger point injections for my back?", "before-the-injection"),
    # "Do I need to" asks what is needed, not whether the injection suits one (a review's).
    ("do i need to have a referral for the shot", "which-doctor"),
    ("do i need to get prior authorization for trigger point injections", "insurance-coverage"),
    # Search-box wordings from a probe: the point asked without its usual small words.
    ("what not to do after trigger point injection", "aftercare"),
    ("what to tell doctor before tpi", "before-the-injection"),
    ("soreness after trigger point injection how long", "side-effects"),
    ("medicare advantage tpi need approval first?", "insurance-coverage"),
    ("Can my physical therapist give me trigger point injections?", "who-can-bill"),
    ("is a knot in my back a trigger point", "symptoms"),
    ("what does tpi stand for", "what-is-tpi"),
    # Patient forum wordings from a probe.
    ("Roughly how much do trigger point shots cost out of pocket?", "self-pay-cost"),
    ("What kind of doctor specializes in trigger point injections?", "which-doctor"),
    (
        "Can trigger point injections weaken the muscle? My arm felt kind of weak for an hour"
        " after the shots in my shoulder, fine now.",
        "side-effects",
    ),
    (
        "It felt like a bee sting then a deep ache. Is it supposed to hurt like that?",
        "what-happens",
    ),
    # Whether Medicare pays a given practitioner is who may bill, a coverage point too.
    ("NP doing TPIs under her own NPI, medicare pays 85% right?", "who-can-bill"),
    # Wrapped messages from a probe: the point in words the cues lacked.
    ("What even is a knot in a muscle?", "symptoms"),
    ("Can trigger point injections make my arm weak?", "side-effects"),
    ("How do I prepare for my trigger point injection?", "before-the-injection"),
    (
        "Can I have trigger point injections if I have a skin infection on my back?",
        "before-the-injection",
    ),
    ("Is a trigger point jab the same thing as a cortisone jab?", "steroid-or-anesthetic"),
    ("Is the relief from trigger point injections only temporary?", "relief-duration"),
    # Question templates from a probe.
    # Hurting after the injection is a side effect, not pain during it.
    ("why does my shoulder hurt more after tpi", "side-effects"),
    ("does it hurt after the injection", "side-effects"),
    # Being numbed is the pain during it, not the preparation before.
    ("Do they numb you before trigger point injections?", "what-happens"),
    ("what to expect the day after tpis", "aftercare"),
    # How knots are found, and what leads to them.
    ("How are trigger points found?", "diagnosis"),
    # What leads to knots is their cause.
    ("Does overuse at the gym lead to trigger points?", "causes"),
    # The cues a review found too broad stay with their own subject.
    # "Why do I need" asks the purpose only of the injection itself.
    ("Why do I need an ABN for my trigger point injection?", "medicare-limits"),
    ("Why would I need an MRI for trigger points?", "tests-and-imaging"),
    ("Why do I need so many injections?", "relief-duration"),
    # "When is it necessary" after the injection is the aftercare, not the indication.
    ("When is it necessary to call the doctor after a TPI?", "aftercare"),
    ("When are TPIs necessary for Medicare to pay?", "medicare-limits"),
    # What fibromyalgia causes is the fibromyalgia entry's, not the causes of knots.
    ("Can fibromyalgia cause trigger points?", "mps-vs-fibromyalgia"),
    ("Does it hurt the day after?", "aftercare"),
    # Another subject named beside the knots or the injection.
    # Entries that name the other subject still answer it.
    ("Does physical therapy help trigger points?", "treatments"),
    ("Does massage help trigger points?", "treatments"),
    # The injection named beside it makes the injection the subject.
    ("Is dry needling or a trigger point injection better for knots?", "dry-needling"),
    (
        "After physical therapy did not help, are trigger point injections worth it?",
        "treatments",
    ),
    # Mid-length questions from a probe: a story, then the question.
    (
        "I am going to have TPIs in my neck next week, is there anything I should tell the"
        " doctor beforehand or do to get ready?",
        "before-the-injection",
    ),
    (
        "I'm uninsured and the clinic won't tell me the price, can I ask for an estimate"
        " before the trigger point injections?",
        "self-pay-cost",
    ),
    # A second review of the cues.
    # "an estimate" of something else than a price is not the cost.
    ("Is there an estimate of how many people have myofascial pain?", "prevalence"),
    (
        "Can you give me an estimate of how many trigger point injections I'll need?",
        "relief-duration",
    ),
    # A knot injection's relief, not how long a knot lasts.
    ("How long does the knot injection last?", "relief-duration"),
    (
        "My doctor mentioned trigger points, what is a trigger point and is it a knot?",
        "symptoms",
    ),
    # Controls of the near-domain probe.
    ("are trigger point shots worth the money", "effectiveness"),
    ("pos for tpi in hospital outpatient clinic", "place-of-service"),
    # The bot knows no clinics; which kind of doctor gives them is its answer.
    ("trigger point injections near me", "which-doctor"),
    # Where to get one is who gives them, not what happens.
    ("where can you get trigger point injections", "which-doctor"),
    # "done in hospital": where it is done (a patient), or the place of service (staff).
    ("What place of service for trigger point injections done in hospital?", "place-of-service"),
    ("Are trigger point injections done in hospital?", "what-happens"),
    ("are TPIs done at an outpatient clinic?", "what-happens"),
    # What a knot may lead to, asked after it (a review's).
    ("the knot in my shoulder, could it be why my head hurts all the time?", "referred-pain"),
    ("Will I have to stay in hospital after a trigger point injection?", "what-happens"),
    # Billing shorthand from a staff probe.
    ("what is the MUE for 20553?", "billing-units"),
    ("how do we bill J3490 for the steroid with a TPI?", "drug-billing"),
    ("is the new ABN version mandatory?", "medicare-limits"),
    ("new pt 99203 and tpi same day, modifier 25?", "same-day-visit"),
    # Other senses of the staff shorthand.
    # Other senses of the staff shorthand a review tried.
    ("How do doctors make a dx for trigger points?", "diagnosis"),
    (
        "I have DN (diabetic neuropathy), can I get trigger point injections?",
        "pregnancy-diabetes",
    ),
]


@pytest.mark.parametrize(("question", "entry"), ANSWERED_AS_ASKED)
def test_the_entry_that_answers_what_is_asked(matcher: Matcher, question: str, entry: str):
    assert answered_with(matcher, question) == entry


def test_whether_the_injection_suits_one_is_not_what_it_is(matcher: Matcher):
    result = matcher.answer("Is a TPI right for me?")
    offered = {candidate.entry.id for candidate in result.candidates}
    assert result.status is Status.SUGGEST
    assert offered == {"before-the-injection", "effectiveness", "treatments"}


@pytest.mark.parametrize(
    ("question", "status", "field", "value", "near", "entry"),
    [
        # "period" matched the same-day-visit wording "... have a global period?".
        (
            "Can I get trigger point injections while I am on my period?",
            Status.SUGGEST,
            "other_subjects",
            ("menstruation",),
            "what is the global period for 20553",
            "same-day-visit",
        ),
        # A disc is the radiculopathy subject: whether TPIs help it is not their effect on
        # muscle pain.
        (
            "would trigger point injections help the disc or just the muscles?",
            Status.SUGGEST,
            "other_subjects",
            ("radiculopathy",),
            "would trigger point injections help my muscles?",
            "effectiveness",
        ),
        # What knots are made of got what is in the injection.
        (
            "what are muscle knots made of",
            Status.NONE,
            "unanswered_points",
            ("what a knot or trigger point is made of",),
            "what is a trigger point injection made of",
            "what-is-tpi",
        ),
        # What a doctor is paid for one is the fee (no entry): not being paid for a visit
        # beside it.
        (
            "how much does a doctor get paid for a tpi",
            Status.NONE,
            "unanswered_points",
            (
                "how much a payer pays for a code: look it up in the CMS Physician Fee"
                " Schedule Look-Up Tool or in the payer's fee schedule",
            ),
            "May I also get paid for an office visit at the same time that I give a joint"
            " injection?",
            "same-day-visit",
        ),
        # How many injections one session holds got how many sessions; staff counting
        # billable units per session keep theirs.
        (
            "how many injections do they do in one tpi session",
            Status.NONE,
            "unanswered_points",
            ("how many injections are given in one session",),
            "how many trigger point injections can we bill per session",
            "billing-units",
        ),
        # A headache after the injection got the side effects, which name none.
        (
            "headache after trigger point injection",
            Status.NONE,
            "unanswered_points",
            ("whether a headache after the injection is expected",),
            "soreness after trigger point injection normal",
            "side-effects",
        ),
        # How a TPI differs from a nerve block got their billing together; a coder's
        # question on them keeps it.
        (
            "Difference between a nerve block and a TPI?",
            Status.NONE,
            "unanswered_points",
            ("how a trigger point injection differs from a nerve block or an epidural",),
            "nerve block vs tpi same day, modifier 59?",
            "same-day-procedures",
        ),
        # How soon it starts to work got the procedure ("how long ... take").
        (
            "How long does a trigger point injection take to start working?",
            Status.NONE,
            "unanswered_points",
            ("how soon an injection starts to work",),
            "How long does a trigger point injection take?",
            "what-happens",
        ),
        # How long the numbness lasts got how long the relief lasts.
        (
            "how long does the numbness last",
            Status.NONE,
            "unanswered_points",
            ("how long the numbness from the injection lasts",),
            "how long does the relief last",
            "relief-duration",
        ),
    ],
)
def test_a_look_alike_question_is_not_answered_and_says_why(
    matcher: Matcher,
    question: str,
    status: Status,
    field: str,
    value: tuple[str, ...],
    near: str,
    entry: str,
):
    result = matcher.answer(question)
    assert result.status is status
    assert getattr(result, field) == value
    # The question it looks like keeps its answer.
    assert answered_with(matcher, near) == entry
