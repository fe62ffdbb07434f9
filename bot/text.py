"""Text normalisation shared by the matcher and the knowledge checks.

Normalising means: Unicode NFKC, case folding, accents removed, apostrophes dropped and
everything that is not a letter or digit turned into a single space. Medical code
numbers survive intact (``M79.18`` keeps its dot) because they are matched exactly.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from importlib.metadata import version

import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

# CPT (5 digits), HCPCS and LCD/article ids (a letter and 4-5 digits), ICD-10 with a dot.
# An ICD-10 code after its dot has up to four letters or digits: placeholder X's and a
# seventh character ("S13.4XXA", "T50.Z11A"); a few categories have a letter third ("M1A").
# A lone letter after the dot is a wildcard people write ("M54.X"), not a code.
_ICD10 = r"[a-z]\d[a-z0-9]\.(?:\d[a-z0-9]{0,3}|[a-z][a-z0-9]{1,3})"
CODE_PATTERN = re.compile(rf"\d{{5}}|[a-z]\d{{4,5}}|{_ICD10}")
_TOKEN_PATTERN = re.compile(rf"{_ICD10}|[a-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
# "Part B's policy", "the doctor's note": the possessive is dropped, not glued on ("bs");
# "what's", "it's" and the like keep their usual spelling without the apostrophe.
_POSSESSIVE = re.compile(r"\b([a-z0-9]+)['\u2019\u02bc`]s\b")
_IS_CONTRACTED = frozenset("what that it there here who where how he she let".split())


def _drop_possessive(match: re.Match[str]) -> str:
    word = match.group(1)
    return word + "s" if word in _IS_CONTRACTED else word


_NUMBER_UNIT = re.compile(r"(\d)(mg|mcg|ml|cc|x)\b")

# Words that carry no meaning for matching: function words, question words, filler.
STOPWORDS = frozenset(
    """
    a about actually after again all also am an and any anything are as at be been before
    being but by can cant could did didnt do does doesnt doing done dont for from get gets
    getting give go going got had has have having he her here him his how i id if im in
    into is isnt it its ive just kind know let like lot lots may me might mine more most
    much must my need needs no not now of off ok okay on one or other our out please pls
    put really right she should so some someone something sort such tell than thank that
    the their them then there these they thing things this those to too um us use used
    using very want was we well were what whats when where which while who whom whose why
    will with would yes yet you your youre
    weve theyre theyve youve youd hed shed wed thats theres heres lets re
    shes hes whos wheres hows youll itll theyll
    doctor doctors dr physician physicians provider providers clinician
    mom mother dad father husband wife son daughter boyfriend girlfriend partner grandma
    grandmother grandpa grandfather sister brother
    lol lmao haha omg tbh btw idk fyi imo thx
    everybody somebody nobody kindly dear sir madam afternoon evening
    mean means meant meaning define defined definition
    usually typically generally normally basically honestly exactly
    """.split()
)

# Adverbs that change nothing a point cue asks: "what do they actually inject", "how long
# does that soreness usually last". Cues and questions are compared without them.
# ("exactly" stays: "what exactly are trigger points" is a definition cue, "what are
# trigger points" is not one, as "what are trigger points used for" is no definition.)
CUE_FILLERS = frozenset(
    "actually really usually typically generally normally basically honestly".split()
)


def without_fillers(text: str) -> str:
    """Normalised ``text`` (or a cue) without the words of ``CUE_FILLERS``."""
    return " ".join(word for word in text.split() if word not in CUE_FILLERS)


# Words that refer to a subject named before ("My doctor ordered an EMG. What is it?", or
# earlier in a conversation: "Is it covered by Medicare?").
SUBJECT_PRONOUNS = ("it", "they", "them", "these", "those")

# Everyday words that say little about what a question is about. They weigh little unless
# the knowledge base itself uses them, and are never "corrected" into knowledge words; any
# other word the knowledge base has never seen ("covid", "colonoscopy") counts against
# every entry.
COMMON_WORDS = frozenset(
    """
    able above across add added again against ago almost alone along already although
    always among another anyone anyway anywhere appear appears apply applies applied
    appropriate approved around away back bad become becomes begin behind believe
    below best better between big bit body both bring call called came case cases cause
    caused causes certain change check checked clear come comes coming consider correct
    count counted counts currently day days deal describe described detail details
    different difficult does doing dont down during each early easy either else end enough
    entire even ever every everything example expect explain explained fact fair
    feel feeling feels few fine first follow following free full fully
    further general going gone good great guess half happen happens hard help
    helps high hold hope however huge idea important include included includes including
    instead involve involved involves issue issues keep kept kinds large last later least
    less level likely little live long look looking looks lot low made main make makes
    making many matter maybe mind minute mostly move much name near
    nearly necessary never new next nice normal nothing number often old once
    only open order otherwise over own part particular past pay paid perhaps place point
    possible pretty probably problem proper properly purpose quick quickly quite rather
    reason recently regarding related rest result right rule rules said same saw say says
    second see seem seems seen sense set several short show side similar simple since
    six small soon sorry specific start started still stop story sure take taken takes
    talk ten than thanks there therefore think third though thought through time
    times today together told took top toward true try trying turn turned type under
    understand unless until upon various view wait want wanted wants way ways week
    weeks went whether whole wonder wondering word work working world worse worst wrong
    year years yesterday goes suffer suffers suffering publish publishes published
    wont won typical tomorrow myself yourself anyone everyone hello hi advance
    appreciate appreciated thank thanks question questions perspective regards clarify
    clarification confused confuse curious experience understanding information because
    sees seeing monday tuesday wednesday thursday friday saturday sunday weekend tonight
    morning afternoon evening aunt uncle cousin grandma grandpa grandmother grandfather
    sister brother niece nephew boyfriend girlfriend coworker neighbor neighbour
    team guys folks dumb silly stupid bother bothering
    acceptable accompany actual actually advised agreed anticipate arguing basis calculate
    calculating chain choose communicate companies complete definitely despite double equal
    etc eliminate figure hey hide hundred ilk instance interesting interests
    material mess mid obtained obviously pass passed portion received
    regular representative send signify situation sometimes speak spent statement unable
    unknown value verbiage
    advise advice thoughts input ideas suggestion suggestions guidance assistance beyond
    previous totally constantly payment payments reduce technique techniques due resolve
    resolved step steps
    correctly importantly potentially tried heard occasions sufficient eli5 experiencing
    simply wow bunch morning worried worry
    """.split()
)


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless one: "1 group", "2 groups"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces."""
    return " ".join(tokenise(text))


def says_nothing(text: str) -> bool:
    """Whether ``text`` is stop words alone, or no words at all: "ok", "lol", "👍"."""
    return all(word in STOPWORDS for word in tokenise(text))


def tokenise(text: str) -> list[str]:
    """The normalised tokens of ``text``; code numbers are single tokens."""
    if text.isascii():  # NFKC, NFKD and accent removal change nothing in ASCII: skip them
        stripped = text.lower()
    else:
        folded = unicodedata.normalize("NFKC", text).casefold()
        stripped = "".join(
            char
            for char in unicodedata.normalize("NFKD", folded)
            if not unicodedata.combining(char)
        )
    unquoted = _APOSTROPHES.sub("", _POSSESSIVE.sub(_drop_possessive, stripped))
    text = _NUMBER_UNIT.sub(r"\1 \2", unquoted)
    tokens = _TOKEN_PATTERN.findall(text)
    if _SPELLED_OUT.keys().isdisjoint(tokens):
        return tokens
    return [part for token in tokens for part in _SPELLED_OUT.get(token, (token,))]


# "Shouldn't" is "should not": the negation stays a word of its own, so "who shouldn't get
# it" reads as "who should not get it" (a point cue) and not as an unknown word.
_NEGATIONS = {
    f"{verb}nt": (verb, "not")
    for verb in "do does did is are was were has have had would should could must need".split()
} | {"cant": ("can", "not"), "cannot": ("can", "not"), "wont": ("will", "not")}
# Texting spellings too short for the typo corrector: "wat is the cpt code for tpi" lost
# its cue and counted "wat" as an unknown word.
_TEXTING = {
    "wat": ("what",),
    "wht": ("what",),
    "wut": ("what",),
    "hw": ("how",),
    "u": ("you",),
    "ur": ("your",),
    "pls": ("please",),
    "plz": ("please",),
    "b4": ("before",),
}
_SPELLED_OUT = _NEGATIONS | _TEXTING


# Where a sentence ends: . ? ! ; or a line break, followed by space (not "M79.18").
_SENTENCE_END = re.compile(r"(?<=[?!;])\s*|(?<=\.)\s+|\n+")
# An opener before a colon, a dash or a comma ("Quick question: ...", "Hi all - ...",
# "Hello, quick question, ..."); see _after_opener.
_OPENER = re.compile(r"((?:[^:,\-–—]|\b-\b)*?)(?::|,|\s[-–—])\s+(?=\S)")
# A sentence that starts with one of these asks something, even without a question mark.
_QUESTION_WORDS = frozenset(
    """
    what whats which how can cant could do does did is are should would will who when where
    why may
    """.split()
)
# Requests ask too ("please advise"), but "Help! chest pain after my shot" reports.
_REQUEST_WORDS = frozenset(
    "any anyone please need looking wondering wonder help advise confirm tell".split()
)
_ASKING_WORDS = _QUESTION_WORDS | _REQUEST_WORDS


# Courtesy that names no subject but would weigh as words ("help", "question"): "Thank you
# for your help earlier. One more question please: how should I prepare for the
# injection?" lost its answer to them.
# Thanks are read as "thanks" alone, so a message of thanks is small talk ("Thank you for
# your help!" got three unrelated entries); openers are left out.
_THANKS = re.compile(
    r"\b(?:(?:thank you|thanks)(?: so much| very much)? for (?:your|all your|any|the)"
    r" (?:help|time|assistance)(?: earlier)?|(?:thank you|thanks) in advance"
    r"|any help (?:is|would be) (?:much |greatly )?appreciated)",
    re.IGNORECASE,
)
_OPENERS = re.compile(
    r"\b(?:(?:one more|another|a quick|quick|a) question(?: please| for you)?(?=\s*[:,.?!-])"
    r"|i have a (?:quick )?question(?: for you)?(?=\s*[:,.?!-]))",
    re.IGNORECASE,
)


def without_courtesy(text: str) -> str:
    """``text`` with thanks (and "any help is appreciated") as "thanks" and without "one
    more question" openers; a message that is only an opener ("I have a question.")
    stays whole: the small-talk patterns know it."""
    polite = _OPENERS.sub(" ", _THANKS.sub("thanks", text))
    return text if says_nothing(polite) else polite


def focus_sentences(text: str) -> list[tuple[str, bool]]:
    """The sentences of ``text``, each with whether it asks (the focus of the message).

    A sentence asks when it ends with a question mark or starts with a question or request
    word. When no sentence asks about anything ("tpi both sides modifier 50", a story and
    "Please advise."), all of them are the focus but those that neither ask nor name
    anything ("Hello!", "Thanks!").
    """
    sentences = _sentences(text)
    asking = [_asks(sentence) for sentence in sentences]
    saying = [_says_something(sentence) for sentence in sentences]
    # "Can you advise?" after the story asks about the story: it is all the focus, but for
    # openers that neither ask nor name anything ("Hello!", "Quick question:" before "tpi
    # cpt").
    if not any(asks and says for asks, says in zip(asking, saying, strict=True)):
        return [
            (sentence, says or asks or not any(saying))
            for sentence, says, asks in zip(sentences, saying, asking, strict=True)
        ]
    return list(zip(sentences, asking, strict=True))


def asks_a_question(text: str) -> bool:
    """Whether a sentence of ``text`` asks a question that names something: it ends with a
    question mark or starts with a question word. A message that asks none reports
    ("difficulty breathing after tpi", "Help! wheezing after the shot. Any advice?")."""
    return any(
        _says_something(sentence)
        and (sentence.endswith("?") or _first_word(sentence) in _QUESTION_WORDS)
        for sentence in _sentences(text)
    )


def _first_word(sentence: str) -> str:
    tokens = tokenise(sentence)
    return tokens[0] if tokens else ""


def _sentences(text: str) -> list[str]:
    return [
        clause
        for s in _SENTENCE_END.split(text)
        if s and s.strip()
        for part in _after_opener(s.strip())
        for clause in _clauses(part)
    ]


def _after_opener(sentence: str) -> list[str]:
    """A colon, dash or comma after words that name nothing ends a sentence: "Quick
    question: what CPT ..." is an opener and the question ("Hello, quick question, ..."
    two openers). A label that names something stays with what follows: "Medicare: is
    20553 covered?", "Pregnancy: is it safe?"."""
    opener = _OPENER.match(sentence)
    if opener is None or not opener.group(1).strip() or _says_something(opener.group(1)):
        return [sentence]
    return [opener.group(0).strip(), *_after_opener(sentence[opener.end() :])]


# The comma before a last clause that is a question: "My neck has hurt for weeks, could
# trigger point injections help?" ("isn't", "can't" too).
_ASKING_CLAUSE = re.compile(
    r",\s*(?=(?:" + "|".join(sorted(_QUESTION_WORDS)) + r")(?:n?['’]t)?\b[^,]*\?$)",
    re.IGNORECASE,
)


def _clauses(sentence: str) -> list[str]:
    """A question after a comma is a sentence of its own, and the clause before it story;
    not when the question refers back to that clause ("I am pregnant, is it safe?", "my
    arm is numb, is that normal?") or the clause is its condition ("If 3 muscles were
    injected, can we bill 20553?")."""
    if "," not in sentence:
        return [sentence]
    parts = [part.strip() for part in _ASKING_CLAUSE.split(sentence, maxsplit=1)]
    if len(parts) < 2 or not parts[0] or refers_back(parts[1]) or _qualifies(parts[0]):
        return [sentence]
    return parts


# Words that open a condition of the question rather than a story: "If 3 muscles were
# injected, can we bill 20553?", "For a patient with fibromyalgia, are TPIs effective?"
_CONDITION_WORDS = frozenset(
    "if for with when whenever in on at since after before during as once unless while".split()
)


def _qualifies(clause: str) -> bool:
    return _first_word(clause) in _CONDITION_WORDS


# Words that name nothing of their own.
_NAMELESS = STOPWORDS | COMMON_WORDS


# "M79.18 vs M62.838, which one for TPIs?": a choice among what was named before.
_CHOOSING = frozenset("one ones of is should would do to".split())


def refers_back(question: str) -> bool:
    """Whether a question points at something said before it: "it", "them", or "that" /
    "this" right after its first word ("is that normal", "does this mean") or last ("how
    common is that"), or a choice ("which one", "which is better"). A pronoun after a
    word the question names itself refers to that: "what exactly is a trigger point and
    is it just a knot"."""
    tokens = tokenise(question)
    own = next((n for n, t in enumerate(tokens) if t not in _NAMELESS), None)
    before_own = tokens if own is None else tokens[:own]
    choosing = len(tokens) > 1 and tokens[0] == "which" and tokens[1] in _CHOOSING
    return (
        choosing
        or any(t in SUBJECT_PRONOUNS for t in before_own)
        or any(t in ("that", "this") for t in (*tokens[1:3], *tokens[-1:]))
    )


def _says_something(sentence: str) -> bool:
    """Whether a sentence names anything of its own. "Any thoughts? Please advise.", "Is
    this correct?" and "What is my next step?" do not; "What is it?" refers with "it" to a
    subject named before, which the reader looks up itself (see bot.query)."""
    return any(t in SUBJECT_PRONOUNS or t not in _NAMELESS for t in tokenise(sentence))


def _asks(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or _first_word(sentence) in _ASKING_WORDS


def is_code(token: str) -> bool:
    """Whether a normalised token looks like a CPT, HCPCS, LCD or ICD-10 code."""
    return CODE_PATTERN.fullmatch(token) is not None


def is_icd10_code(token: str) -> bool:
    """Whether a normalised token looks like an ICD-10 code: the codes with a dot (m79.18)."""
    return is_code(token) and "." in token


def display_code(token: str) -> str:
    """A code as people write it: letters upper-case (``m79.18`` -> ``M79.18``)."""
    return token.upper()


# The runs a synonym variant can start at (see SynonymExpander.expand).
_RUNS = re.compile(r"[^a-z0-9.]+")


class SynonymExpander:
    """Rewrites every variant to its canonical wording, longest variant first."""

    def __init__(self, synonyms: Iterable[tuple[str, Iterable[str]]]) -> None:
        mapping: dict[str, str] = {}
        for canonical, variants in synonyms:
            target = normalise(canonical)
            # The canonical form maps to itself so a longer phrase is never expanded twice.
            for variant in (canonical, *variants):
                mapping.setdefault(normalise(variant), target)
        self._mapping = {variant: target for variant, target in mapping.items() if variant}
        alternation = "|".join(
            re.escape(variant) for variant in sorted(self._mapping, key=len, reverse=True)
        )
        self._pattern = (
            re.compile(rf"(?<![a-z0-9.])(?:{alternation})(?![a-z0-9.])") if alternation else None
        )
        # A match starts a run of [a-z0-9.] and its first word is that whole run, so a text
        # with no run equal to some variant's first word has nothing to expand: the
        # pattern, an alternation of every variant, need not run (most knowledge texts).
        # (bot.phrases.PhraseSet has a substring version for its wildcard phrases.)
        self._first_words = frozenset(variant.split()[0] for variant in self._mapping)

    @property
    def words(self) -> frozenset[str]:
        """Every token that appears in a variant or canonical form."""
        return frozenset(
            token for pair in self._mapping.items() for text in pair for token in text.split()
        )

    def expand(self, normalised: str) -> str:
        """``normalised`` with each variant replaced by its canonical form."""
        if self._pattern is None or self._first_words.isdisjoint(_RUNS.split(normalised)):
            return normalised
        return self._pattern.sub(lambda match: self._mapping[match.group(0)], normalised)


class Stemmer:
    """English word stems (Snowball), so "denying", "denied" and "deny" count as one word.

    Codes, numbers and short words are left alone. Keeps a cache; the Snowball stemmer
    keeps state while it works, so each matcher has its own instance. snowballstemmer
    runs PyStemmer's C build of the same algorithm when it is installed (a dependency),
    its pure-Python one otherwise.
    """

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        """``known``: stems found before (:meth:`known`), e.g. by a cached compile."""
        self._stemmer = snowballstemmer.stemmer("english")
        self._cache: dict[str, str] = dict(known or {})

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            keep = len(word) < 4 or not word.isalpha()
            stem = word if keep else str(self._stemmer.stemWord(word))
            if len(self._cache) < 100_000:
                self._cache[word] = stem
        return stem

    def known(self) -> dict[str, str]:
        """The stems found so far, by word."""
        return dict(self._cache)


def stemmer_version() -> str:
    """Which Snowball implementation stems, and its version (a compiled index's stems
    come from it)."""
    package = "PyStemmer" if snowballstemmer.stemmer.__module__ == "Stemmer" else "snowballstemmer"
    return f"{package} {version(package)}"


_ENGLISH_WORDS_LOCK = threading.Lock()


@functools.cache
def english_words() -> frozenset[str]:
    """English words: pyspellchecker's list (160,000 words, each seen at least 50 times in
    its corpus; misspellings such as "triger" or "medicre" are not among them).

    Read on first use (about 0.3 s; 17 MiB kept), not at start-up: the bot reads it in a
    worker thread once it runs (``Matcher.prepare``). A question that needs it meanwhile
    waits for that read (the lock) instead of reading the list a second time.
    """
    with _ENGLISH_WORDS_LOCK:
        return _read_english_words()


@functools.cache
def _read_english_words() -> frozenset[str]:
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


class TypoCorrector:
    """Corrects a misspelt word to the closest of ``targets`` (rapidfuzz ratio at least
    ``cutoff``). Words in ``known``, words shorter than ``min_length``, tokens that are
    not all letters and, unless ``english`` is False, English words are left alone: one
    letter away from a knowledge word, "invalid" is not "valid", "dental" not "denial",
    "medicaid" not "medical" and "tingling" not "ringing".

    Only targets within a few edits are compared, found through an index of each target
    with one letter deleted: comparing a word with every target costs milliseconds once
    the knowledge base has thousands of entries. The index is built on the first word to
    correct or by ``prepare`` (a fraction of a second at 20,000 targets), not at start-up.
    A bounded cache keeps the words already corrected. Targets are single words: the
    index joins those under one key with spaces.
    """

    def __init__(
        self,
        known: Collection[str],
        targets: Iterable[str],
        *,
        cutoff: float,
        min_length: int,
        english: bool = True,
    ) -> None:
        self._known = known
        self._english = english
        self._targets = tuple(targets)
        self._cutoff = cutoff
        self._min_length = min_length
        self._cache: dict[str, str] = {}
        self._index: dict[str, str] | None = None

    def __call__(self, token: str) -> str:
        if token in self._known or len(token) < self._min_length or not token.isalpha():
            return token
        corrected = self._cache.get(token)
        if corrected is None:
            corrected = self._closest(token)
            if len(self._cache) < 100_000:
                self._cache[token] = corrected
        return corrected

    def prepare(self) -> None:
        """Load now what the first word to correct would otherwise wait for: the English
        word list and the index of targets."""
        if self._english:
            english_words()
        self._near()

    def _closest(self, token: str) -> str:
        if self._english and token in english_words():
            return token
        # Up to two letters deleted from the token and one from the target: within the
        # cutoff, that finds a letter changed, added, dropped or two swapped, and a word
        # with two letters too many ("imagining").
        near = self._near()
        keys = {key for once in _one_deleted(token) for key in _one_deleted(once)}
        candidates = sorted({t for key in keys for t in near.get(key, "").split()})
        close = process.extract(
            token, candidates, scorer=fuzz.ratio, score_cutoff=self._cutoff, limit=None
        )
        if not close:
            return token
        # Fewest edits first, two swapped letters counting as one: "ijnection" is
        # "injection", not "infection" (the same ratio); then the closest ratio.
        best = min(close, key=lambda match: (OSA.distance(token, match[0]), -match[1], match[0]))
        return best[0]

    def _near(self) -> dict[str, str]:
        """Each target under itself and under every one-letter deletion of it; the targets
        under one key are joined by spaces (a list per key took 40% more memory: 24 MiB
        at 20,000 targets)."""
        if self._index is None:
            index: dict[str, str] = {}
            for target in sorted(set(self._targets)):
                for key in _one_deleted(target):
                    found = index.get(key)
                    index[key] = target if found is None else f"{found} {target}"
            self._index = index
        return self._index


def _one_deleted(word: str) -> set[str]:
    """``word`` itself and every string made by deleting one of its letters."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}
