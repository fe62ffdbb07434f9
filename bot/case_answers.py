"""What a counted case says: the counted muscles, the code, and the reply's wording.

:class:`bot.cases.CaseCoder` recognises and counts a described case; this module holds the
result (:class:`CaseAnswer`) and turns a count into the code and the sentences staff read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.knowledge import Entry, MuscleTerm
from bot.text import counted

CASE_ENTRY = "case-coding"
# Where the same-day procedures (joints, tendon sheaths, nerve blocks) are explained.
NON_MUSCLE_ENTRY = "same-day-procedures"


@dataclass(frozen=True)
class CountedMuscle:
    """One muscle on one side (``side`` None when the question does not say)."""

    term: MuscleTerm
    side: str | None

    @property
    def label(self) -> str:
        return f"{self.side} {self.term.name}" if self.side else self.term.name


@dataclass(frozen=True)
class CaseAnswer:
    """What was counted in a described case and the code it gives (None: it asks)."""

    muscles: tuple[CountedMuscle, ...]
    regions: tuple[str, ...]
    other_sites: tuple[str, ...]
    dry_needling: bool
    injections: int | None
    code: str | None
    paragraphs: tuple[str, ...]
    entry: Entry
    # A number of muscles (or muscle groups) given without naming them, and which it was.
    stated: int | None = None
    stated_groups: bool = False

    @property
    def units(self) -> int:
        return 1 if self.code else 0

    @property
    def title(self) -> str:
        if self.code:
            return f"Coding this case: {self.code} x 1"
        if self.muscles or self.regions or self.stated:
            return "Coding this case: which muscles were injected?"
        return "Coding this case: not a trigger point code"

    @property
    def related(self) -> tuple[str, ...]:
        """Entries offered under the answer: the case entry's, same-day procedures first."""
        extra = (NON_MUSCLE_ENTRY,) if self.other_sites else ()
        return tuple(dict.fromkeys((*extra, *self.entry.related)))

    def as_json(self) -> dict[str, object]:
        """The count as ``ask --json`` shows it."""
        return {
            "muscles": [m.label for m in self.muscles],
            "count": len(self.muscles) or self.stated or 0,
            "stated": self.stated,
            "code": self.code,
            "units": self.units,
            "dry_needling": self.dry_needling,
            "injections": self.injections,
            "regions": list(self.regions),
            "other_sites": list(self.other_sites),
        }


def case_code(count: int, has_regions: bool, dry: bool) -> str | None:
    few, many = ("20560", "20561") if dry else ("20552", "20553")
    if count >= 3:
        return many
    if has_regions or not count:
        return None
    return few


def case_paragraphs(
    muscles: Sequence[CountedMuscle],
    regions: Sequence[str],
    sites: Sequence[str],
    dry: bool,
    injections: int | None,
    code: str | None,
) -> tuple[str, ...]:
    paragraphs: list[str] = []
    few, many = ("20560", "20561") if dry else ("20552", "20553")
    if muscles:
        count = len(muscles)
        named = f"You named {counted(count, 'muscle')}: {_and(m.label for m in muscles)}."
        if injections:
            named += f" {injections} injections named: muscles are counted, not injections."
        paragraphs.append(named)
    both = [m.term.name for m in muscles if m.side == "left" and _has(muscles, m.term, "right")]
    if both:
        paragraphs.append(f"The right and left {_and(both)} count as two muscles (one per side).")
    if code:
        band = "3 or more muscles" if code == many else counted(len(muscles), "muscle")
        procedure = "Dry needling (no injectate)" if dry else "Trigger point injections"
        paragraphs.append(
            f"{band} → {code}, 1 unit for the session (however many injections)."
            f" {procedure}: {few} for 1 or 2 muscles, {many} for 3 or more."
        )
    if regions:
        paragraphs.append(_region_text(regions, len(muscles), code, few, many))
    if sites:
        paragraphs.append(
            f"{_and(f'“{s}”' for s in sites)}: a joint, tendon, bursa or nerve injection is not"
            f" a trigger point code; it has its own code (see same-day procedures)."
        )
    unsided = [m.term.name for m in muscles if m.side is None]
    if unsided and code != many:
        paragraphs.append(
            f"No side given for {_and(unsided)}: if both sides were injected, each side"
            " counts as a muscle."
        )
    notes = dict.fromkeys(m.term.note for m in muscles if m.term.note)
    paragraphs += [note for note in notes if note]
    return tuple(paragraphs)


def _has(muscles: Sequence[CountedMuscle], term: MuscleTerm, side: str) -> bool:
    return any(m.term == term and m.side == side for m in muscles)


def _region_text(
    regions: Sequence[str], so_far: int, code: str | None, few: str, many: str
) -> str:
    named = _and(f"“{r}”" for r in regions)
    what = "is a region, not a muscle" if len(regions) == 1 else "are regions, not muscles"
    text = f"{named} {what}: name the muscles injected; a region is not a muscle for {few}/{many}."
    if so_far:
        text += f" So far I count {counted(so_far, 'muscle')}."
    if code:
        return text + f" With 3 or more already, the code stays {code}; name every muscle."
    return text + f" 1 or 2 muscles → {few}; 3 or more → {many}."


def _and(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
