"""Safety replies: emergencies get the safety line first; everyday questions keep their answer."""

from __future__ import annotations

import json

import pytest

from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.matching import Matcher, Status
from bot.phrases import phrase_pattern
from bot.replies import render_plain, reply_for
from tests.conftest import MINIMAL_ENTRY, MINIMAL_TOPICS
from tests.test_cli import run

# (message, the rule that must answer it). Patients in their words, staff about a patient,
# typos, and messages that also ask a knowledge question.
MUST_TRIGGER = [
    ("I cant breathe since my trigger point shot this morning", "breathing"),
    ("can't breath after tpi", "breathing"),
    ("I have chest pain after my trigger point injection yesterday", "breathing"),
    (
        "Pt called back with chest pain after TPI to the upper back, what do we tell her?",
        "breathing",
    ),
    ("my chest hurts and I'm short of breath, I had injections in my traps today", "breathing"),
    ("Is it normal to have shortness of breath after my trigger point injections?", "breathing"),
    ("patient is complaining of shortness of breath hours after 20553", "breathing"),
    ("im having trouble breathing since the injection in my shoulder", "breathing"),
    ("I think I have a collapsed lung, it started after the shots", "breathing"),
    ("my throat is swelling up after the shot", "allergic-reaction"),
    ("I'm wheezing and have hives since the injection", "allergic-reaction"),
    ("my lips are swollen after trigger point injections, what should I do", "allergic-reaction"),
    ("my heart is racing and my lips are numb after the lidocaine shot", "anesthetic-reaction"),
    ("I fainted right after my trigger point injection", "anesthetic-reaction"),
    ("I have a metallic taste and my ears are ringing since my injection", "anesthetic-reaction"),
    ("i feel dizzy and my lips are tingling after the shot", "anesthetic-reaction"),
    ("my tongue went numb right after the trigger point injection", "anesthetic-reaction"),
    ("I have a fever after my trigger point injection", "infection-signs"),
    ("the injection site is red and swollen and warm to the touch", "infection-signs"),
    ("3 days after my tpi the spot where they injected is oozing pus", "infection-signs"),
    ("there is a lump in my muscle that keeps growing", "new-lump"),
    ("I found a hard lump in my neck, is it a trigger point?", "new-lump"),
    # Whether a knot is a tumour: the same reply (only an examination can tell).
    ("Is it a muscle knot or tumor?", "new-lump"),
    ("I want to end my life, the pain never stops", "suicidal-thoughts"),
    ("some days i feel suicidal because of this pain", "suicidal-thoughts"),
    ("is this an emergency? my arm went numb", "emergency"),
    ("should I go to the ER, my neck is really bad after the shot", "emergency"),
    # Reports: they ask nothing, so a symptom tied to the injection is enough.
    ("difficulty breathing after tpi", "breathing"),
    ("shortness of breath after trigger point injection", "breathing"),
    ("chest pain after tpi", "breathing"),
    # A point cue must not turn a report into a question ("hurts after injections").
    ("short of breath and chest hurts after injections", "breathing"),
    ("my chest hurts after injection", "breathing"),
    # "is that normal" asks about what was just told: it is happening to the asker.
    ("chest hurts after the injection, is that normal?", "breathing"),
    ("Chest pain after trigger point injection, is it serious?", "breathing"),
    (
        "Shortness of breath after the injection, is that a side effect or do I need help?",
        "breathing",
    ),
    ("wheezing after injection", "allergic-reaction"),
    ("my mouth is swelling after the injection", "allergic-reaction"),
    ("seizure after trigger point injection", "anesthetic-reaction"),
    ("numb lips and ringing ears after trigger point injection", "anesthetic-reaction"),
    ("she feels faint after the injection", "anesthetic-reaction"),
    ("ringing in her ears after the injection", "anesthetic-reaction"),
    ("there is drainage from the injection site", "infection-signs"),
    ("fever of 101 after my shot", "infection-signs"),
    ("Help! difficulty breathing after tpi", "breathing"),
    ("Shortness of breath after TPI. Any advice?", "breathing"),
    # A probe's wordings: a word inside "feel faint", "chest feels tight", "i almost".
    ("i feel really faint and dizzy since the shot", "anesthetic-reaction"),
    ("feeling very faint after my injection", "anesthetic-reaction"),
    ("my chest feels tight since the injection", "breathing"),
    ("fever since my trigger point injection", "infection-signs"),
    ("spiking a fever after my trigger point injection", "infection-signs"),
    ("redness and swelling at the injection site after my tpi", "infection-signs"),
    # A third probe's: no "after" or "since", a deep breath, a site red and hot the next day.
    (
        "had shots in my upper back 3 hours ago and now my chest feels tight and i cant take"
        " a deep breath",
        "breathing-after-injection",
    ),
    ("i cant take a deep breath since my trigger point shots", "breathing-after-injection"),
    # A digit is no billing word: not a coder's search but a report.
    ("chest pain, tpi 2 days ago", "breathing"),
    ("wheezing and hives, had the shots 1 day ago", "allergic-reaction"),
    # A Telegram probe's: a weekday instead of "after", a temperature without "of".
    (
        "got trigger point shots monday and now i have a fever of 101 and the spot is swollen",
        "infection-signs",
    ),
    ("had a tpi on monday, now fever 101", "infection-signs"),
    # A second review's: pain worse days after, a temperature, a tight chest the day after.
    ("my pain is worse after the tpi 2 days ago, is that normal?", "infection-signs"),
    ("pain is worse since my shots last week, what should i do", "infection-signs"),
    ("my temp is 101, had the shot yesterday", "infection-signs"),
    ("chest feels tight, injection 1 day ago", "breathing-after-injection"),
    (
        "doctor give me injection yesterday, today the place is red and hot, what i do",
        "infection-signs",
    ),
    ("pain is worse than before the injection, its been 2 days", "infection-signs"),
    # After a story longer than the part matching reads (1,000 characters).
    (
        "Our physical therapy clinic refers patients for trigger point injections. " * 16
        + "Patient called back an hour later: she can't breathe since the injection.",
        "breathing",
    ),
    # A review's: an episode in the past compared with one now is still an emergency
    # (an exception for past episodes hid these, reverted).
    ("had tpi this morning, feels like the collapsed lung i had years ago", "breathing"),
    ("tpi yesterday, now i think i have a collapsed lung again like 2 years ago", "breathing"),
    ("Pt with hx of COPD c/o chest pain after TPI", "breathing"),
    ("hx of chest pain, now chest pain again after tpi", "breathing"),
    (
        "I think I have a pneumothorax again, same as last year, I had TPIs this morning",
        "breathing",
    ),
    (
        "Got TPIs today. Years ago I had a collapsed lung, and it feels the same right now",
        "breathing",
    ),
    # A third review's: a throat that feels like it is closing, or tight.
    ("My throat feels like it's closing after the shot", "allergic-reaction"),
    ("my throat feels tight since the injection", "allergic-reaction"),
    # Spanish family words count as "my husband" does (a third review's).
    ("Mi papa fainted after the injection", "anesthetic-reaction"),
    # "lump sum" means money; a lump named beside it still counts.
    ("we were paid a lump sum, and now I have a new lump at the injection site", "new-lump"),
    # A probe's: British and Australian wording, a bit faint, pale and woozy; chest pain
    # named again beside a past work-up.
    ("Had TPIs this arvo and now my arm's gone numb and tingly, should I go to A&E?", "emergency"),
    ("Feeling a bit faint after my jab, is that normal?", "anesthetic-reaction-after-injection"),
    (
        "Patient went pale and woozy right after the injections, what do I do?",
        "anesthetic-reaction-after-injection",
    ),
    ("pt has a history of chest pain and now has chest pain after the tpi", "breathing"),
    # A review's: a reaction "on the skin" with other signs beside it is the 911 reply
    # (an exception for skin reactions, tried for a real question, hid these).
    (
        "allergic reaction on my skin after my injection and my eyes are swelling shut",
        "allergic-reaction",
    ),
    ("allergic reaction on my skin after the shot, hard to swallow", "allergic-reaction"),
    ("allergic reaction on my skin after my tpi and I feel lightheaded", "allergic-reaction"),
    # A fourth review's: a report that also names what a point's cue names (a headache,
    # "before the injection", a physical therapist's injection, a weak arm) is still a
    # report; "fainted after" is a symptom told, not a question.
    ("headache after injection plus trouble breathing", "breathing"),
    ("bad headache after tpi, chest tightness", "breathing"),
    ("headaches after the shot, face swelling", "allergic-reaction"),
    ("headache after trigger point injection, passed out", "anesthetic-reaction"),
    ("no chest pain before injection, chest pain after injection", "breathing"),
    ("fine before injection. after the injection trouble breathing", "breathing"),
    ("short of breath after physical therapist injection yesterday", "breathing"),
    ("shots make arm weak, chest pain after injection", "breathing"),
    ("fainted after the shot", "anesthetic-reaction"),
    ("head hurts after the injection, lips swelling", "allergic-reaction"),
    ("my face is swelling after the injection", "allergic-reaction"),
    # A patient-forum probe's: told of someone else ("she's"), asking whether the shot did it.
    (
        "Mom fainted in the parking lot right after her trigger point injections, she's awake"
        " now but pale and shaky. Is this from the shot?",
        "anesthetic-reaction",
    ),
    ("she's short of breath after her injection, is this from the shot?", "breathing"),
    # A review's: a question about a collapsed lung beside a report of one is a report.
    (
        "could the shot cause a collapsed lung? my wife had a TPI near her shoulder blade an"
        " hour ago and is breathing really fast and sweaty",
        "breathing",
    ),
]

# General questions that mention the same words: they get their answer, not the safety line.
MUST_NOT_TRIGGER = [
    "What are the side effects of trigger point injections?",
    "Can a trigger point injection puncture a lung?",
    "Can you get shortness of breath from trigger point injections?",
    "Is chest pain a side effect of a TPI?",
    "chest wall trigger points",
    "CPT code for trigger point injections in the chest wall muscles",
    "Can trigger point injections cause a fever?",
    "Should I use ice or heat after trigger point shots?",
    "Is it normal to be sore after trigger point injections?",
    "What should I do after a trigger point injection?",
    "What is a trigger point?",
    "Are trigger point injections safe?",
    "Can a trigger point injection cause an allergic reaction?",
    "I'm allergic to lidocaine, can I still get trigger point injections?",
    "Does a trigger point injection hurt?",
    "How long does the soreness last after a trigger point injection?",
    "can I get a tpi if I take blood thinners",
    "Which code for trapezius and rhomboid injections?",
    "How many units of J3301 for 40 mg?",
    "Is fibromyalgia the same as myofascial pain?",
    "What causes muscle knots?",
    "Does Medicare cover trigger point injections?",
    "My neck hurts, would a trigger point injection help?",
    "Can I drive after a trigger point injection?",
    # The same symptoms and injection words as the reports above, asked as questions.
    "Can you have difficulty breathing after a TPI?",
    "Is wheezing after an injection a side effect?",
    "can a seizure happen after trigger point injection",
    "I am so confused about these 3 codes, what is the best way to code this case?",
    "The payer sent a lump sum for all the trigger point injections, how do we post it?",
    # A coder's patient with a tumour is not someone asking about a lump.
    "Can we bill PRP injections for a patient with bone tumor on the same day as a TPI?",
    # No question mark, but a coder's search or a general point, not a report.
    "ICD-10 code for chest pain after trigger point injection",
    "billing a pneumothorax after trigger point injection",
    "risk of pneumothorax after trigger point injection",
    "chest pain after tpi side effect",
    "Is lymphatic drainage massage ok after trigger point injections?",
    "my chest muscles are tight, can tpi help",
    "can trigger point injections make you faint",
    "is feeling faint a side effect of trigger point injections",
    "is redness and swelling after trigger point injections normal",
    # A second review's: worries, past episodes, tightness from stress, a fever after a
    # flu shot.
    "will i feel dizzy or faint after my trigger point injection?",
    "can i faint after my trigger point injection?",
    "i almost passed out from the needle last year, can i get numbing cream?",
    "my chest feels tight when i'm stressed, can trigger points cause that?",
    "can a trigger point in my pec make my chest feel tight?",
    "fever after my flu shot, can i still get my tpi tomorrow?",
    "will the pain be worse than before the injection?",
    # Worries before an injection, asked in general.
    "I read a trigger point injection can cause a collapsed lung, should I be worried before mine?",
    "Is fainting common with trigger point injections? Should I worry?",
    # A review's: a deep breath or a worse pain with no injection behind them.
    "I cant take a deep breath when my back spasms, can trigger point injections help?",
    "it hurts to breathe deeply when the knot under my ribs flares up, what causes that?",
    "my pain is worse than before my massage, would a trigger point injection help?",
    "my knee pain is worse than before my surgery, can trigger point injections help with that?",
    "i had my shots last week, can i get more this week?",
    # A third review's: "tengo" is no report of one's own ("I have a question").
    "Tengo una pregunta: can trigger point injections cause shortness of breath?",
    "Tengo diabetes, can TPIs cause chest pain?",
    "is throat tightness a side effect of trigger point injections?",
    # A review's: woozy with no injection before it is no reaction.
    "I felt woozy this morning before breakfast, can I still have my TPI today?",
    "I get woozy around needles, can I lie down for my trigger point injection?",
    # A patient-forum probe's: the risk of a collapsed lung, and fainting at blood draws,
    # asked before an injection.
    "Is there any risk of a collapsed lung with trigger point injections in the upper back?"
    " I read a horror story on Reddit and now I'm nervous about Monday.",
    "I have a needle phobia, like I pass out at blood draws every single time. Can I still"
    " get trigger point injections or is that a bad idea?",
    # A review's: a face that swells from something else, told before an injection.
    "My face always swells when I eat shellfish, can I still get trigger point injections?",
    # A probe's pasted note: a past chest pain work-up is history.
    "Procedure: TPI. Muscles: L trapezius, L levator scapulae. 1% lidocaine 2 mL each. Pt"
    " tolerated well. PMH: chest pain workup last month, cardiology cleared, unrelated to"
    " today. What do we bill for this?",
]


@pytest.mark.parametrize(("message", "rule_id"), MUST_TRIGGER)
def test_emergencies_get_the_safety_reply(matcher: Matcher, message: str, rule_id: str):
    result = matcher.answer(message)
    assert result.status is Status.SAFETY, (message, result.status, result.best)
    assert result.safety is not None and result.safety.id == rule_id
    assert result.entry is None  # never a knowledge answer in its place


@pytest.mark.parametrize("message", MUST_NOT_TRIGGER)
def test_general_questions_are_not_emergencies(matcher: Matcher, message: str):
    result = matcher.answer(message)
    assert result.status is not Status.SAFETY, (message, result.safety)


def test_emergency_replies_say_call_911(knowledge: KnowledgeBase):
    urgent = {"breathing", "allergic-reaction", "anesthetic-reaction", "emergency"}
    replies = {rule.id: rule.reply for rule in knowledge.safety}
    assert urgent <= set(replies)
    for rule_id in urgent:
        assert "call 911 (or your local emergency number)" in replies[rule_id].lower()
    assert "988" in replies["suicidal-thoughts"]


def test_safety_reply_offers_the_related_entry(matcher: Matcher, knowledge: KnowledgeBase):
    result = matcher.answer("I have chest pain since my trigger point injection")
    reply = reply_for(result, knowledge)
    assert [o.data for o in reply.options] == ["faq:side-effects"]
    text = render_plain(reply)
    assert text.startswith("Chest pain, trouble breathing") and "911" in text
    assert reply_for(result, knowledge, compact=True).options == ()


@pytest.mark.slow  # runs run_bot.py as a subprocess
def test_ask_json_reports_status_safety():
    done = run("ask", "--json", "my throat is swelling after the injection")
    data = json.loads(done.stdout)
    assert data["status"] == "safety" and "911" in data["answer"]
    assert data["safety"] == {"id": "allergic-reaction", "related": ["side-effects"]}
    assert data["id"] is None and data["sources"] == []


@pytest.mark.slow  # runs run_bot.py as a subprocess
def test_console_shows_the_safety_reply_with_its_button():
    done = run("console", stdin="I can't breathe after my trigger point shot\n1\n")
    assert "Call 911 (or your local emergency number) now" in done.stdout
    assert "  1. What are the side effects" in done.stdout
    assert done.stdout.count("What are the side effects") == 2  # the button, then its answer


def test_phrase_wildcards():
    assert phrase_pattern("breath*") == r"breath[a-z0-9]*"
    assert phrase_pattern("can't breathe") == "can not breathe"  # as messages read
    assert phrase_pattern("swell* ... throat") == r"swell[a-z0-9]* (?:\S+ ){0,4}throat"


SAFETY_RULE = """\
safety:
  - id: breathing
    symptoms: [chest pain]
    context: {context}
    reply: Call 911.
    related: [{related}]
"""


def test_loader_checks_safety_rules(write_knowledge):
    bad = SAFETY_RULE.format(context="personal", related="no-such-entry")
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, safety=bad)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    message = str(caught.value)
    assert "safety.yaml:2: entry 'breathing': unknown context 'personal'" in message
    assert "related id 'no-such-entry' does not exist" in message


def test_loader_resolves_named_contexts(write_knowledge):
    rule = SAFETY_RULE.format(context="personal", related="cpt-code")
    contexts = "safety_contexts:\n  personal: [after my, since]\n"
    directory = write_knowledge(
        topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, safety=rule + contexts
    )
    [loaded] = load_knowledge(directory).safety
    assert loaded.context == ("after my", "since") and loaded.symptoms == ("chest pain",)


def test_loader_resolves_named_reported_phrases(write_knowledge):
    rule = SAFETY_RULE.format(context="[my]", related="cpt-code")
    rule += "    reported: injected\n"
    contexts = "safety_contexts:\n  injected: [after ... tpi]\n"
    directory = write_knowledge(
        topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, safety=rule + contexts
    )
    [loaded] = load_knowledge(directory).safety
    assert loaded.context == ("my",) and loaded.reported == ("after ... tpi",)
    matcher = Matcher(load_knowledge(directory))
    assert matcher.answer("chest pain after tpi").status is Status.SAFETY
    assert matcher.answer("Can you get chest pain after tpi?").status is not Status.SAFETY


def test_loader_names_an_unknown_list_once(write_knowledge):
    rule = SAFETY_RULE.format(context="personal", related="cpt-code")
    rule += "    reported: personal\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, safety=rule)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    assert str(caught.value).count("unknown context 'personal'") == 1


def test_loader_rejects_reported_phrases_without_symptoms(write_knowledge):
    rule = "safety:\n  - id: alone\n    patterns: [anaphylaxis]\n    reported: [after ... tpi]\n"
    rule += "    reply: Call 911.\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, safety=rule)
    with pytest.raises(KnowledgeError, match=r"safety\.yaml:4: entry 'alone': 'reported' needs"):
        load_knowledge(directory)


def test_loader_wants_symptoms_and_context_together(write_knowledge):
    rule = "safety:\n  - id: half\n    symptoms: [chest pain]\n    reply: Call 911.\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, safety=rule)
    with pytest.raises(KnowledgeError, match=r"safety\.yaml:2: entry 'half': needs 'patterns'"):
        load_knowledge(directory)
