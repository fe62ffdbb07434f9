"""Tell a message in another language from an English one, so the reply can say so.

The knowledge is in English: a question in Spanish or Russian matches nothing, and "Sorry,
I don't have an answer to that" (or, with no Latin letters at all, how to ask) reads as if
the bot did not know. Spanish is told by words common in Spanish questions and unknown in
English ones; other scripts by their letters. No language model: a few words suffice for
what the reply needs, and an English message with a stray Spanish word stays English.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text import STOPWORDS, normalise

SPANISH = "Spanish"
OTHER = "another language"

# Common in Spanish questions (accents dropped, as normalise does), not English words nor
# staff shorthand: not "me", "mi" (Michigan, myocardial infarction), "no", "para"
# (paraspinals), "del" (deltoid). A few could be ("el", "la"), but half a message's words
# must be Spanish.
_SPANISH_WORDS = frozenset(
    """
    el la los las un una de en es con sin y que cuanto cuanta cuantas cuantos como cual
    cuales donde cuando por unos unas esta estan estoy tengo tiene tienen puedo puede pueden
    duele duelen dolor cuello espalda hombro hombros inyeccion inyecciones musculo musculos
    seguro cuesta despues antes hacer pero muy gracias hola mis necesito ayuda ayudan sirve
    sirven punto puntos gatillo medico doctora usted ustedes pecho causar efecto efectos
    secundario secundarios respirar aire mucho mucha tambien porque desde ayer hoy semana
    dias son cuales tipo hace esto se garganta hinchada hinchado hinchazon mareos mareo
    corazon acelerado esposo esposa desmayo desmaye fiebre fibromialgia cabeza embarazada
    """.split()
)
# A message is Spanish when at least this many of its words are (or all of a shorter
# one: "hola", "gracias"), half of its words and codes, and no English function word
# (bot.text.STOPWORDS but "me", "no", "a" and "son", which are Spanish too): "Hola, tengo
# dolor de cuello, do trigger point injections help?" and "Maria de la Paz 20553 x1" are
# read, in English. Half is enough: an emergency told in Spanish must get the reply's 911
# line ("Tengo la garganta hinchada").
_MIN_SPANISH_WORDS = 2
_MIN_SPANISH_SHARE = 0.5
_ENGLISH_WORDS = STOPWORDS - _SPANISH_WORDS - {"me", "no", "a", "son"}
# A message is in another script when at least this share of its letters are not Latin:
# "How much is a TPI? Спасибо заранее" asks in English.
_MIN_OTHER_SCRIPT_SHARE = 0.8
_LETTER = re.compile(r"[^\W\d_]")
_NOT_ASCII = re.compile(r"[^\W\d_\x00-\x7f]")


def other_language(text: str) -> str | None:
    """``SPANISH`` or ``OTHER`` when ``text`` is not in English (nor in Latin letters),
    else None. Codes and digits say nothing either way."""
    letters = _LETTER.findall(text)
    if not letters:
        return None
    # Most messages are ASCII: only the other letters need their Unicode names.
    other = sum(not unicodedata.name(c, "").startswith("LATIN") for c in _NOT_ASCII.findall(text))
    if other / len(letters) >= _MIN_OTHER_SCRIPT_SHARE:
        return OTHER
    words = normalise(text).split()
    spanish = sum(word in _SPANISH_WORDS for word in words)
    english = any(word in _ENGLISH_WORDS for word in words)
    enough = min(_MIN_SPANISH_WORDS, len(words))
    share = spanish / len(words) if words else 0.0
    if spanish >= enough and share >= _MIN_SPANISH_SHARE and not english:
        return SPANISH
    return None
