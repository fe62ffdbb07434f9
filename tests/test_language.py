"""Messages in another language are told from English ones (bot.language)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import load_dev_set
from bot.language import OTHER, SPANISH, other_language
from bot.matching import Matcher
from bot.replies import render_plain, reply_for
from bot.results import Status

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("¿Cuánto cuesta una inyección en punto gatillo?", SPANISH),
        ("me duele el cuello, las inyecciones ayudan?", SPANISH),
        ("tengo dolor de espalda, me ayuda una inyeccion?", SPANISH),
        ("hola", SPANISH),
        ("Сколько стоит укол в триггерную точку?", OTHER),
        ("扳机点注射多少钱", OTHER),
        ("هل حقن نقاط الزناد مؤلمة؟", OTHER),
        # English, whatever a word or two of Spanish or the codes say.
        ("can i pay para the tpi with a card", None),
        ("como se dice trigger point in spanish", None),
        # A review's: staff shorthand ("para", "del") and a question half in English.
        ("para and del tpi, which code?", None),
        ("L para R para traps 20552 or 20553?", None),
        ("tengo mucho dolor de espalda, will a tpi help?", None),
        ("Hola, tengo dolor de cuello, do trigger point injections help?", None),
        # A third review's: a name beside a code is read; Spanish emergencies are not
        # (the reply has a 911 line).
        ("Maria de la Paz 20553 x1", None),
        ("Cuales son los efectos secundarios de la inyeccion?", SPANISH),
        ("Tengo la garganta hinchada", SPANISH),
        ("Mi esposo se desmayo despues de la inyeccion", SPANISH),
        ("¿Puedo ir a trabajar despues de la inyeccion?", SPANISH),
        # A second review's: English with thanks in another script is English.
        ("How much is a TPI? Спасибо заранее", None),
        ("TPI? 谢谢你", None),
        ("¿El dolor de pecho es un efecto secundario de la inyección?", SPANISH),
        ("Does Medicare cover 20553?", None),
        ("20552 x1, J3301 x4", None),
        ("", None),
        ("🙂", None),
    ],
)
def test_other_language(message: str, language: str | None):
    assert other_language(message) == language


@pytest.mark.parametrize("name", ["dev_questions.yaml", "real_tuning.yaml", "real_reserve.yaml"])
def test_no_english_question_we_have_reads_as_another_language(name: str):
    cases, pairs = load_dev_set(DATA / name)
    questions = [c.question for c in cases] + [c.question for pair in pairs for c in pair]
    assert [q for q in questions if other_language(q) is not None] == []


def test_a_spanish_question_gets_english_only_in_both_languages(matcher: Matcher):
    result = matcher.answer("¿Cuánto cuesta una inyección en punto gatillo?")
    assert result.status is Status.NONE and result.language == SPANISH
    reply = render_plain(reply_for(result, matcher.knowledge))
    assert reply.startswith("Sorry, I can only read questions in English. (Lo siento,")
    assert "Please ask in English, or pick a topic:" in reply


def test_another_script_gets_english_only_not_how_to_ask(matcher: Matcher):
    # No Latin letter: the words were empty and the reply said how to ask in English.
    result = matcher.answer("Сколько стоит укол в триггерную точку?")
    assert result.language == OTHER
    reply = render_plain(reply_for(result, matcher.knowledge))
    assert reply.startswith("Sorry, I can only read questions in English.")
    # Its words were not read: an emergency in them gets the 911 line at least.
    assert "If this is an emergency, call 911" in reply


@pytest.mark.parametrize(
    "message",
    [
        "No puedo respirar después de la inyección",
        "me duele el pecho despues de la inyeccion",
        "tengo chest pain after la inyeccion",
    ],
)
def test_an_emergency_in_spanish_still_gets_the_safety_reply(matcher: Matcher, message: str):
    result = matcher.answer(message)
    assert result.status is Status.SAFETY and result.safety is not None
    assert result.safety.id == "breathing"


def test_a_general_question_in_spanish_is_no_emergency(matcher: Matcher):
    # A second review's: the Spanish chest pain phrases fired alone, on questions.
    for message in (
        "¿La inyección puede causar dolor de pecho?",
        "Is dolor de pecho a side effect of TPIs?",
    ):
        assert matcher.answer(message).status is not Status.SAFETY, message
