"""Answers about ICD-10-CM codes asked in a trigger point injection context.

"is M79.1 billable?", "what is G44.209?", "can I bill M54.50 with 20553 for Medicare?" get
the official answer from the code set (:mod:`bot.icd10`): the title, billable or a header
(with the billable codes under it), Excludes1 conflicts among the codes asked, and whether
each code is on the covered-diagnosis lists of the knowledge base (``diagnosis_lists``),
with the list's policy, scope and sources, and the code-set release checked against.

This is not a general coding assistant. A question gets a code answer only in a TPI
context, which :meth:`CodeAnswers.answer` decides from the question alone:

- a code asked is on a covered-diagnosis list, or under one of its headers (M79.1, G44.2);
- or the question uses a list's ``context`` words or codes (trigger point, TPI, myofascial,
  20552, 20553), or names a code the knowledge base lists in an entry's keywords.

Otherwise ("what is E11.9?") the question goes on to the matcher as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.icd10 import CodeInfo, CodeSet, CodeSetError, Conflict, code_set
from bot.knowledge import DiagnosisList, Entry, Source
from bot.text import display_code, is_icd10_code

_log = logging.getLogger(__name__)

# Codes answered per question; a longer list of codes is not a question about codes.
MAX_ASKED_CODES = 8
# A header's billable codes are listed up to this many; more are counted.
MAX_LISTED_CODES = 12
MAX_INCLUSION_TERMS = 3
# Headers of listed codes that put a code "under" a list: M79.18 -> M79.1, G44.209 -> G44.2.
HEADER_LENGTH = len("M79.1")


@dataclass(frozen=True)
class ListCheck:
    """One code against one covered-diagnosis list."""

    list_id: str
    # The list's codes that are this code or lie under it: (M79.18,) for M79.18, the four
    # M79.1x for the header M79.1, () for a code the list does not cover.
    listed: tuple[str, ...]

    @property
    def on_list(self) -> bool:
        return bool(self.listed)


@dataclass(frozen=True)
class CodeFinding:
    """What the code set and the lists say about one code asked."""

    info: CodeInfo
    lists: tuple[ListCheck, ...]


@dataclass(frozen=True)
class CodeAnswer:
    """The reply to a question about ICD-10-CM codes, as plain paragraphs and sources."""

    release: str
    findings: tuple[CodeFinding, ...]
    conflicts: tuple[Conflict, ...]
    paragraphs: tuple[str, ...]
    sources: tuple[Source, ...]
    # Entries whose keywords list a code asked about, offered under the answer.
    related: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(finding.info.code for finding in self.findings)

    @property
    def title(self) -> str:
        return f"ICD-10-CM {_and(self.codes)}"

    def as_json(self) -> dict[str, object]:
        """The lookup as ``ask --json`` shows it."""
        return {
            "release": self.release,
            "codes": [
                {
                    "code": f.info.code,
                    "exists": f.info.exists,
                    "title": f.info.title or None,
                    "billable": f.info.billable,
                    "billable_codes": list(f.info.billable_codes),
                    "other_codes_under_header": list(f.info.siblings),
                    "on_lists": [check.list_id for check in f.lists if check.on_list],
                }
                for f in self.findings
            ],
            "conflicts": [
                {"codes": [c.code, c.excluded], "header": c.header, "note": c.note}
                for c in self.conflicts
            ],
        }


class CodeAnswers:
    """Built once per knowledge base; :meth:`answer` loads the code set on first use."""

    def __init__(
        self,
        lists: Sequence[DiagnosisList],
        owner: Callable[[str], Entry | None],
        codes: Callable[[], CodeSet] = code_set,
    ) -> None:
        self._lists = tuple(lists)
        self._owner = owner
        self._code_set = codes
        self._listed = frozenset(code for lst in self._lists for code in lst.codes)
        self._headers = frozenset(code[:HEADER_LENGTH] for code in self._listed)
        self._context = tuple(
            f" {term} " for lst in self._lists for term in lst.context_terms if term
        )

    def answer(self, text: str, codes: Sequence[str]) -> CodeAnswer | None:
        """The code answer for a normalised, synonym-expanded question, or None."""
        asked = self._asked(text, codes)
        if not asked:
            return None
        try:
            return self._build(asked)
        except CodeSetError as error:  # a configured release that does not load
            _log.error("ICD-10-CM lookup unavailable, answering from the knowledge: %s", error)
            return None

    def looks_up(self, text: str, codes: Sequence[str]) -> bool:
        """Whether :meth:`answer` looks codes up in the code set (and so loads it)."""
        return bool(self._asked(text, codes))

    def _asked(self, text: str, codes: Sequence[str]) -> list[str]:
        """The ICD-10-CM codes to look up: those quoted in a TPI context."""
        asked = list(dict.fromkeys(display_code(code) for code in codes if is_icd10_code(code)))
        return asked if asked and self._in_context(text, codes, asked) else []

    def _in_context(self, text: str, codes: Sequence[str], asked: list[str]) -> bool:
        if any(code in self._listed or code[:HEADER_LENGTH] in self._headers for code in asked):
            return True
        if any(self._owner(code) is not None for code in codes):
            return True
        padded = f" {text} "
        return any(term in padded for term in self._context)

    def _build(self, named: list[str]) -> CodeAnswer:
        codes = self._code_set()
        asked, left = named[:MAX_ASKED_CODES], named[MAX_ASKED_CODES:]
        findings = tuple(
            CodeFinding(info, tuple(self._check(info.code, lst) for lst in self._lists))
            for info in (codes.lookup(code) for code in asked)
        )
        conflicts = codes.conflicts(asked)
        paragraphs = [_describe(f.info, codes) for f in findings]
        if len([f for f in findings if f.info.exists]) > 1:
            paragraphs.append(_conflicts_text(findings, conflicts))
        paragraphs += [_list_text(lst, findings) for lst in self._lists]
        if left:  # said, not dropped without a word
            paragraphs.append(
                f"I looked up the first {MAX_ASKED_CODES} codes only; ask about"
                f" {_and(left)} in other messages, {MAX_ASKED_CODES} at a time."
            )
        paragraphs.append(f"Code set: {codes.label}. Confirm in the current tabular.")
        sources = (
            Source(f"CMS ICD-10-CM tabular, {codes.release} release"),
            *(source for lst in self._lists for source in lst.sources),
        )
        related = [entry.id for code in asked if (entry := self._owner(code)) is not None]
        return CodeAnswer(
            codes.label,
            findings,
            conflicts,
            tuple(paragraphs),
            tuple(dict.fromkeys(sources)),
            tuple(dict.fromkeys(related)),
        )

    def _check(self, code: str, lst: DiagnosisList) -> ListCheck:
        listed = tuple(listed for listed in lst.codes if listed.startswith(code))
        return ListCheck(lst.id, listed)


def _describe(info: CodeInfo, codes: CodeSet) -> str:
    if not info.exists:
        text = f"{info.code} is not an ICD-10-CM code."
        if info.nearest:
            nearest = codes.lookup(info.nearest)
            text += f" The nearest header is {nearest.code} {nearest.title}"
            under = _billable_list(nearest.billable_codes, codes)
            text += f"; its billable codes: {under}" if under else ""
            text += "."
        return text
    text = f"{info.code} – {info.title}: "
    if info.billable:
        text += "a billable code."
        if info.header and info.siblings:
            others = _billable_list(info.siblings, codes)
            text += f" The other codes under {info.header} {codes.title(info.header)}: {others}."
    else:
        text += "a header, not billable. Bill one of its codes: "
        text += _billable_list(info.billable_codes, codes) + "."
    if info.inclusion_terms:
        terms = "; ".join(info.inclusion_terms[:MAX_INCLUSION_TERMS])
        text += f"\nInclusion terms: {terms}."
    return text


def _billable_list(billable: Sequence[str], codes: CodeSet) -> str:
    shown = [f"{code} {codes.title(code)}" for code in billable[:MAX_LISTED_CODES]]
    more = len(billable) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _conflicts_text(findings: Sequence[CodeFinding], conflicts: Sequence[Conflict]) -> str:
    if not conflicts:
        known = [f.info.code for f in findings if f.info.exists]
        return f"No Excludes1 note keeps {_and(known)} apart."
    lines = [
        f"Excludes1: {c.code} and {c.excluded} are not reported together"
        f" ({c.header} Excludes1: {c.note})."
        for c in conflicts
    ]
    return "\n".join(lines)


def _list_text(lst: DiagnosisList, findings: Sequence[CodeFinding]) -> str:
    parts: list[str] = []
    for finding in findings:
        info = finding.info
        (check,) = (c for c in finding.lists if c.list_id == lst.id)
        if not check.on_list:
            parts.append(f"{info.code} is not on it")
        elif check.listed == (info.code,):
            parts.append(f"{info.code} is on it")
        elif set(check.listed) == set(info.billable_codes):
            parts.append(f"all billable codes under {info.code} are on it")
        else:
            parts.append(f"under {info.code}, {_and(check.listed)} are on it")
    return f"{lst.title} ({lst.policy}): {'; '.join(parts)}.\n{lst.scope}"


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
