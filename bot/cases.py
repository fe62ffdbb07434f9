"""Code a described case: count the muscles named and give the trigger point code.

Billing staff mostly ask about a case, not a code: "the doctor injected the left thoracic
trapezius, left rhomboids and left supraspinatus, what is the CPT code?". :class:`CaseCoder`
recognises such a question (muscles or body regions named, a trigger point injection or dry
needling, and a request for the code, the units or how to bill), counts the muscles by the
rule of the knowledge base's ``case-coding`` entry and says what it counted:

- 20552/20553 (dry needling: 20560/20561) go by the number of *muscles*, not injections or
  trigger points; one code, 1 unit per session;
- the right and left of one muscle count as two muscles; naming a muscle twice ("upper trap"
  and "lower trap", or 6 injections into it) counts it once;
- a region ("paraspinals", "lower back") is not a muscle: the reply asks for the muscles;
- a joint, tendon sheath or nerve is not a trigger point code at all.

The muscles, their everyday names and the regions are data (``knowledge/muscles.yaml``,
sections ``muscles``, ``muscle_regions`` and ``non_muscle_sites``). A general question about
the rules ("does right and left count as two muscles?") names no muscle and goes on to the
entries as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.case_answers import (
    CASE_ENTRY,
    CaseAnswer,
    CountedMuscle,
    case_code,
    case_paragraphs,
)
from bot.knowledge import KnowledgeBase, MuscleTerm
from bot.text import COMMON_WORDS, STOPWORDS, TypoCorrector, counted, tokenise

# A misspelt muscle name ("trapezuis", "rhomboyds") is matched at this rapidfuzz ratio.
TYPO_CUTOFF = 80
MIN_TYPO_LENGTH = 7
# The side of the first muscle named may stand this many words before it
# ("bilateral trigger point injections to the trapezius").
LEAD_SIDE_WORDS = 6
SEPARATOR = ","

# A trigger point procedure named outright; "injected" alone will do once a muscle is named.
TPI_WORDS = frozenset(
    """trigger tpi tpis tp tps needling needled 20552 20553 20560 20561""".split()
)
INJECTION_WORDS = TPI_WORDS | frozenset(
    """inject injects injected injecting injection injections needle needles shot shots""".split()
)
DRY_NEEDLING = re.compile(
    r"\bdry needl\w*|\bneedling\b|\bno injectate\b|\bwithout (?:an )?injectate\b"
)
# What makes it a coding question: the code, the units, how to bill or count.
CODING_CUE = re.compile(
    r"\b(?:code|codes|coded|coding|cpt|bill|billed|billing|unit|units|count|counted|counts"
    r"|how many|report|reported|modifiers?|20552|20553|20560|20561"
    r"|(?:one|two|three|separate|\d) (?:separate )?muscles?)\b"
)
# "How many" with no muscle named is a patient's question too ("trigger point shots in my
# neck, how many can he do at once"): with only a region, it needs its noun.
REGION_COUNT_CUE = re.compile(r"\bhow many (?:muscles?|units?|codes?|lines?)\b")
BARE_HOW_MANY = re.compile(r"\bhow many\b")
# A question about the note itself ("is 'paraspinals' acceptable documentation?").
DOCUMENTATION = re.compile(r"\b(?:documentation|document|documented|acceptable|audit)\b")
# Questions about something else that happen to name a muscle: the drug, the diagnosis,
# a denial, imaging, a same-day visit, the global period, incident-to, the place of
# service, how often ("how many times can they inject my upper trap"), a visit (E/M
# codes), manipulation or a nerve block billed the same day (OMT and 64xxx codes,
# bundling; a nerve named without its code is a site the reply says is not a TPI code),
# who may bill. Their entries answer them better than a count.
OTHER_SUBJECT = re.compile(
    r"\b(?:botox|botulinum|kenalog|toradol|ketorolac|triamcinolone|dexamethasone|j\d{4}"
    r"|drug|wasted|wastage|diagnosis|icd|dx|denied|denial|denying|ultrasound|guidance"
    r"|fluoroscopy|office visit|e m|modifier 25|96372|covered|coverage|abn"
    r"|global period|global days|incident to|place of service|jw|jz|how many sessions"
    r"|how many times|how often|9892[5-9]|omt|osteopathic|bundled?|bundling|64\d{3}"
    r"|99\d{3}|new patient visit|established patient visit|who (?:is allowed|can|may)"
    r" (?:to )?bill|allowed to bill)\b"
)
# A joint or tendon injection's code asked about together with the TPI, its modifier
# (59, X{EPSU}) or the same visit: the same-day procedures entry's question, not a count
# ("20610 and TPIs to the upper trap in the same visit, modifier 59 or XS?"). The count
# with such a code beside it is still a case ("left trap and a 20610 on the knee, what
# codes do I bill?": the reply says the joint has its own code).
JOINT_CODE = re.compile(r"\b(?:2060[0-6]|2061[01]|2055[01])\b")
SAME_DAY_CUE = re.compile(r"\b(?:59|x[epsu]|together|same (?:day|visit|session|date|claim))\b")
# Who injected, with what, how or where, a new patient, XS, whether a payer pays: context
# for a case that names its muscles ("NP injected bilateral traps, code?", "new patient,
# doc injected both traps and the right rhomboid, 20552 or 20553?", "tpi to right and
# left trapezius, xs modifier needed?"), but the subject of a question that names only a
# region ("NP does TPIs in the neck, can we bill them?", "will Medicare pay 20561 for the
# neck and shoulder muscles?").
REGION_ONLY_SUBJECT = re.compile(
    r"\b(?:supervision|supervising|guided|imaging|fluoroscopically|medications?|medicine"
    r"|nps?|npps?|nurse practitioners?|physician assistants?|pa|chiropractors?|steroids?"
    r"|j codes?|hcpcs|pos|new patient|established patient|xs|(?:medicare|insurance|payers?"
    r"|plans?) (?:pay|pays|cover|covers|reimburse))\b"
)
LEFT = frozenset({"left", "lt", "l"})
RIGHT = frozenset({"right", "rt", "r"})
BOTH = frozenset({"bilateral", "bilaterally", "bilat", "both", "bl"})
# Shorthand for bilateral only right before the muscle ("bil traps"), and not after
# someone or a verb: "can we bil for traps", "we bil traps as 20552" and "dr wants to bil
# trap and scm" mean "bill".
BOTH_RIGHT_BEFORE = "bil"
BILL_BEFORE = frozenset(
    "i we you they he she it can cant could should would will do did dont not may"
    " might must just dr doc md np pa provider".split()
)
# "to bil" is "to bill" after these ("wants to bil"), bilateral otherwise ("TPI to bil traps").
WANT_TO = frozenset("want wants wanted need needs going have has trying try able how".split())
# A region word followed by one of these names a complaint, not an injection site; so does
# one followed by more regions and then one of these ("neck and shoulder pain").
COMPLAINT_WORDS = frozenset({"pain", "ache", "aches", "spasm", "spasms", "stiffness"})
LINK_WORDS = frozenset({"and", "or", SEPARATOR})
COMPLAINT_REACH = 5
COUNT_PATTERN = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
    r" (?:total |more |separate |different |trigger point )?"
    r"(?:injections|injection|trigger points|tps|tpis|shots|sticks)\b"
)
# "13 TPIs to six muscle groups": a number of muscles given without their names.
STATED_MUSCLES = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
    r" (?:different |separate |distinct )?(muscle groups?|muscles?)\b"
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
}  # fmt: skip

SIDES = ("left", "right")


@dataclass(frozen=True)
class _Mention:
    term: MuscleTerm
    start: int
    end: int


class CaseCoder:
    """Built once per knowledge base; :meth:`answer` is cheap and never raises."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._entry = knowledge.entry(CASE_ENTRY)
        self._terms = knowledge.muscle_terms
        # Each name as a tuple of tokens; matching prefers the longest name at a position.
        self._names: dict[tuple[str, ...], MuscleTerm] = {}
        for term in self._terms:
            for name in (term.name, *term.names):
                self._names.setdefault(tuple(tokenise(name)), term)
        # Words of any name ("occipital" in "greater occipital nerve") are never corrected.
        self._words = frozenset(word for name in self._names for word in name)
        self._longest = max((len(name) for name in self._names), default=0)
        # Only muscle names are corrected to: region words are everyday words ("shoulder").
        single = (
            name[0]
            for name, term in self._names.items()
            if term.kind == "muscle" and len(name) == 1 and len(name[0]) >= MIN_TYPO_LENGTH
        )
        self._correct = TypoCorrector(
            self._words | STOPWORDS | COMMON_WORDS,
            single,
            cutoff=TYPO_CUTOFF,
            min_length=MIN_TYPO_LENGTH,
        )

    def prepare(self) -> None:
        """Build now what correcting a misspelt muscle name would otherwise build first."""
        self._correct.prepare()

    def answer(self, text: str) -> CaseAnswer | None:
        """The counted case for a question, or None when it does not describe one."""
        if self._entry is None or not self._terms:
            return None
        tokens = self._tokens(text)
        flat = " ".join(t for t in tokens if t != SEPARATOR)
        if not (INJECTION_WORDS & set(flat.split())) or not CODING_CUE.search(flat):
            return None
        if OTHER_SUBJECT.search(flat) or (JOINT_CODE.search(flat) and SAME_DAY_CUE.search(flat)):
            return None
        mentions = self._mentions(tokens)
        muscles = [m for m in mentions if m.term.kind == "muscle"]
        # Without a muscle named, only a clear trigger point case about the count is one;
        # a joint or nerve with trigger points is the same-day procedures entry's question.
        if not muscles:
            regions = [m for m in mentions if m.term.kind == "region"]
            tpi = TPI_WORDS & set(flat.split())
            if not tpi or DOCUMENTATION.search(flat) or REGION_ONLY_SUBJECT.search(flat):
                return None
            if not (
                CODING_CUE.search(BARE_HOW_MANY.sub(" ", flat)) or REGION_COUNT_CUE.search(flat)
            ):
                return None
            if not regions:
                return self._stated(flat)
        return self._count(tokens, mentions, flat)

    def _stated(self, flat: str) -> CaseAnswer | None:
        """Muscles given as a number with the injections ("13 TPIs to six muscle groups")."""
        assert self._entry is not None
        stated = STATED_MUSCLES.search(flat)
        injections = _injections(flat)
        if stated is None or injections is None:
            return None
        number, unit = stated.groups()
        count = int(number) if number.isdigit() else NUMBER_WORDS[number]
        groups = "group" in unit
        dry = bool(DRY_NEEDLING.search(flat))
        few, many = ("20560", "20561") if dry else ("20552", "20553")
        # Each group holds one muscle at least: 3 groups are 3 muscles or more.
        code = many if count >= 3 else (None if groups else few if count else None)
        said = counted(count, "muscle group" if groups else "muscle")
        text = (
            f"You gave {said} and {injections} injections, without naming the muscles."
            " Muscles are counted, not injections."
        )
        if code:
            text += f" {counted(count, 'group' if groups else 'muscle')} → {code}, 1 unit for"
            text += " the session; name each muscle injected in the note."
        else:
            text += (
                f" A muscle group is not one muscle: name the muscles injected. 1 or 2 muscles"
                f" → {few}; 3 or more → {many}."
            )
        return CaseAnswer((), (), (), dry, injections, code, (text,), self._entry, count, groups)

    # --- reading the question -----------------------------------------------------------

    def _tokens(self, text: str) -> list[str]:
        """Normalised tokens with a separator where the text had , ; : ( ) or a full stop."""
        tokens: list[str] = []
        for piece in re.split(r"[,;:!?()\n]|\.(?!\d)|\s-\s", text):
            if tokens and tokens[-1] != SEPARATOR:
                tokens.append(SEPARATOR)
            tokens += [self._correct(token) for token in tokenise(piece)]
        return tokens

    def _mentions(self, tokens: Sequence[str]) -> list[_Mention]:
        mentions: list[_Mention] = []
        index = 0
        while index < len(tokens):
            for length in range(min(self._longest, len(tokens) - index), 0, -1):
                term = self._names.get(tuple(tokens[index : index + length]))
                if term is not None:
                    end = index + length
                    if not (term.kind == "region" and self._complaint_follows(tokens, end)):
                        mentions.append(_Mention(term, index, end))
                    index += length
                    break
            else:
                index += 1
        return mentions

    def _complaint_follows(self, tokens: Sequence[str], end: int) -> bool:
        """Whether a complaint word follows a region, maybe after more regions: "neck
        pain", "chronic neck and shoulder pain" name where it hurts, not what was
        injected."""
        for token in tokens[end : end + COMPLAINT_REACH]:
            if token in COMPLAINT_WORDS:
                return True
            if token not in LINK_WORDS and token not in self._words:
                return False
        return False

    # --- counting -----------------------------------------------------------------------

    def _count(self, tokens: Sequence[str], mentions: list[_Mention], flat: str) -> CaseAnswer:
        assert self._entry is not None
        counted: dict[tuple[str, str | None], CountedMuscle] = {}
        # Each region or site once, in the words first used for it.
        regions: dict[str, str] = {}
        sites: dict[str, str] = {}
        sides_of = _all_sides(tokens, mentions)
        for mention, sides in zip(mentions, sides_of, strict=True):
            name = " ".join(tokens[mention.start : mention.end])
            if mention.term.kind == "region":
                regions.setdefault(mention.term.id, name)
            elif mention.term.kind == "site":
                sites.setdefault(mention.term.id, name)
            else:
                named_sides: list[str | None] = [*sorted(sides)] or [None]
                for side in named_sides:
                    counted.setdefault((mention.term.id, side), CountedMuscle(mention.term, side))
        muscles = _merge_unsided(counted)
        dry = bool(DRY_NEEDLING.search(flat))
        injections = _injections(flat)
        code = case_code(len(muscles), bool(regions), dry)
        region_names, site_names = tuple(regions.values()), tuple(sites.values())
        paragraphs = case_paragraphs(muscles, region_names, site_names, dry, injections, code)
        return CaseAnswer(
            muscles, region_names, site_names, dry, injections, code, paragraphs, self._entry
        )


def _all_sides(tokens: Sequence[str], mentions: Sequence[_Mention]) -> list[frozenset[str]]:
    """The sides of each mention; a side written once for a list applies to the list.

    "left trapezius and rhomboid" and "rhomboids and trapezius on the left" are both left.
    """
    sides = [_sides(tokens, mentions, index) for index in range(len(mentions))]
    last = len(mentions) - 1
    # A side after the last muscle of a list ("..., on the left side") covers the list.
    for index in range(last - 1, -1, -1):
        if not sides[index] and _joined(tokens, mentions, index) and _after_last(tokens, mentions):
            sides[index] = sides[index + 1]
    for index in range(1, len(mentions)):
        if not sides[index] and _joined(tokens, mentions, index - 1):
            sides[index] = sides[index - 1]
    return sides


def _joined(tokens: Sequence[str], mentions: Sequence[_Mention], index: int) -> bool:
    """Whether mention ``index`` and the next are joined by "and" or a comma only."""
    gap = tokens[mentions[index].end : mentions[index + 1].start]
    return all(t in (SEPARATOR, "and", "the", "&") for t in gap)


def _after_last(tokens: Sequence[str], mentions: Sequence[_Mention]) -> bool:
    """Whether the last mention's side is written after it."""
    last = mentions[-1]
    before = tokens[max(0, last.start - 2) : last.start]
    return not _side_words(before) and bool(_sides(tokens, mentions, len(mentions) - 1))


def _sides(tokens: Sequence[str], mentions: Sequence[_Mention], index: int) -> frozenset[str]:
    """The sides written next to one mention: before it, or after it up to the next one."""
    mention = mentions[index]
    start = mentions[index - 1].end if index else max(0, mention.start - LEAD_SIDE_WORDS)
    before = list(tokens[start : mention.start])
    # Between two mentions, words up to the last separator or "and" belong to the one before.
    if index:
        before = before[_last_break(before) + 1 :]
    end = mentions[index + 1].start if index + 1 < len(mentions) else len(tokens)
    after = list(tokens[mention.end : end])
    if index + 1 < len(mentions):
        after = after[: max(_last_break(after), 0)]
    else:
        after = after[: _sentence_end(after)]
    if (
        before
        and before[-1] == BOTH_RIGHT_BEFORE
        and _bilateral_shorthand(tokens, mention.start - 1)
    ):
        return frozenset(SIDES)
    return _side_words(before) or _side_words(after)


def _bilateral_shorthand(tokens: Sequence[str], position: int) -> bool:
    """Whether "bil" at ``position`` is bilateral, not "bill" after a subject or verb."""
    if position == 0:
        return True
    before = tokens[position - 1]
    if before == "to":
        return position < 2 or tokens[position - 2] not in WANT_TO
    return before not in BILL_BEFORE


def _last_break(words: Sequence[str]) -> int:
    """The position of the last separator or "and" in ``words`` (-1 if none), leaving out
    an "and" between two sides: in "trapezius and L and R rhomboid" both sides are the
    rhomboid's."""
    sided = LEFT | RIGHT
    for position in range(len(words) - 1, -1, -1):
        word = words[position]
        if word == SEPARATOR or (
            word == "and"
            and not (
                0 < position < len(words) - 1
                and {words[position - 1], words[position + 1]} <= sided
            )
        ):
            return position
    return -1


def _sentence_end(words: Sequence[str]) -> int:
    """Words after the last mention up to its clause end ("..., right and left, would")."""
    separators = [i for i, t in enumerate(words) if t == SEPARATOR]
    if not separators:
        return len(words)
    if separators[0] == 0 and len(separators) > 1:
        return separators[1]
    return separators[0] if separators[0] else len(words)


def _side_words(words: Sequence[str]) -> frozenset[str]:
    found: set[str] = set()
    for position, word in enumerate(words):
        if word in BOTH:
            # "both" alone before a muscle means both sides; "both muscles" does not.
            return frozenset(SIDES)
        if word == "each" and position + 1 < len(words) and words[position + 1] == "side":
            return frozenset(SIDES)
        # "b/l" is bilateral, not "b" and "l" (left).
        if word == "b" and position + 1 < len(words) and words[position + 1] == "l":
            return frozenset(SIDES)
        if word in LEFT:
            found.add("left")
        elif word in RIGHT:
            found.add("right")
    return frozenset(found)


def _merge_unsided(
    counted: dict[tuple[str, str | None], CountedMuscle],
) -> tuple[CountedMuscle, ...]:
    """A muscle named once with a side and once without is one muscle, not two."""
    sided = {muscle_id for muscle_id, side in counted if side is not None}
    return tuple(
        muscle
        for (muscle_id, side), muscle in counted.items()
        if side is not None or muscle_id not in sided
    )


def _injections(flat: str) -> int | None:
    """The number of injections, when the question gives one: two counts may be one told
    twice ("four injections ... 20553 because there were four injections") or two parts
    ("6 injections to the upper trap and 3 to the lower back"), so they give none."""
    numbers = COUNT_PATTERN.findall(flat)
    if len(numbers) != 1:
        return None
    return int(numbers[0]) if numbers[0].isdigit() else NUMBER_WORDS[numbers[0]]
