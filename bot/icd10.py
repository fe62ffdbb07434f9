"""The official ICD-10-CM code set (the CMS tabular), looked up through ``simple-icd-10-cm``.

The package ships one CMS release (1.5.0: the April 1, 2026 tabular) and parses it when it
is first imported, which takes seconds and about 150 MB. So nothing here imports it until a
lookup is needed, and then only once (:func:`code_set`). A newer CMS release is loaded by
configuration, not code: :func:`configure` with the tabular XML and the code list of that
release (``ICD10CM_TABULAR`` and ``ICD10CM_CODES``, see ``bot/config.py``).

Codes are taken as the matcher's tokens give them (``m79.18``) or as people write them
(``M79.18``); everything returned is upper-case with its dot.
"""

from __future__ import annotations

import gc
import re
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from xml.etree import ElementTree

from bot.gcpause import collection_paused

PACKAGE = "simple-icd-10-cm"
# At most this many other billable codes of a code's header are named beside it.
MAX_SIBLINGS = 8
# "icd10c-tabular-April-1-2026.xml" -> April 2026; CMS names its files "...-2027.xml".
_RELEASE_IN_NAME = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"[-_ ](?:\d{1,2}[-_ ])?(\d{4})",
    re.IGNORECASE,
)
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_VERSION_ELEMENT = re.compile(rb"<version>\s*([^<]{1,40}?)\s*</version>")
# A code reference inside a note: "fibromyalgia (M79.7)", "myositis (M60.-)",
# "lumbago with sciatica (M54.4-)" or a range "(M60-M63)".
_CODE = r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_CODE_REF = re.compile(rf"(?<![A-Z0-9])({_CODE})(?:\s?-\s?({_CODE})(?:\.?-)?|\.?-)?")


_PARENTHESES = re.compile(r"\(([^()]*)\)")


class CodeSetError(Exception):
    """A configured code-set release cannot be loaded; the message says which file and why."""


@dataclass(frozen=True)
class CodeSetFiles:
    """A CMS release to load instead of the package's own: its two files and its name."""

    tabular: Path
    codes: Path
    release: str | None = None  # e.g. "FY2027"; default: read from the file names


@dataclass(frozen=True)
class CodeInfo:
    """What the tabular says about one code."""

    code: str
    exists: bool
    title: str = ""
    billable: bool = False
    # The billable codes under a header (M79.1 -> M79.10 ... M79.18), in tabular order.
    billable_codes: tuple[str, ...] = ()
    inclusion_terms: tuple[str, ...] = ()
    # Excludes1 notes of the code and of every header above it, as (header, note).
    excludes1: tuple[tuple[str, str], ...] = ()
    # For a code that does not exist: the nearest header that does (M79.19 -> M79.1).
    nearest: str | None = None
    # For a billable code, its header and the header's other billable codes when they are
    # few (M79.18 -> M79.1: M79.10, M79.11, M79.12): "Is M79.18 right for neck muscles?"
    # is answered by the code of another site.
    header: str | None = None
    siblings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """Two codes an Excludes1 note keeps apart: ``note`` under ``header`` names ``excluded``."""

    code: str
    excluded: str
    header: str
    note: str

    def __str__(self) -> str:
        return f"{self.code} and {self.excluded}: {self.header} Excludes1 {self.note!r}"


class CodeSet:
    """Lookups in one loaded release. Build it with :func:`code_set`."""

    def __init__(self, module: ModuleType, release: str) -> None:
        self._icd = module
        self.release = release
        self.package_version = metadata.version(PACKAGE)

    @property
    def label(self) -> str:
        """How answers and ``check`` name the release: ``ICD-10-CM, April 2026 tabular``."""
        return f"ICD-10-CM, {self.release} tabular"

    @property
    def version_line(self) -> str:
        """The label and what read it, for ``check`` and logs."""
        return f"{self.label} (read with {PACKAGE} {self.package_version})"

    def exists(self, code: str) -> bool:
        """Whether ``code`` is a category or code of the tabular (blocks and chapters are not)."""
        code = normal_code(code)
        return "-" not in code and code[:1].isalpha() and self._icd.is_valid_item(code)

    def is_billable(self, code: str) -> bool:
        """Whether ``code`` exists and is a leaf: a code to bill, not a header."""
        code = normal_code(code)
        return self.exists(code) and self._icd.is_leaf(code)

    def title(self, code: str) -> str:
        """The official title, empty for a code that does not exist."""
        code = normal_code(code)
        return self._icd.get_description(code) if self.exists(code) else ""

    def lookup(self, code: str) -> CodeInfo:
        """Everything an answer or a check needs about ``code``."""
        code = normal_code(code)
        if not self.exists(code):
            return CodeInfo(code, exists=False, nearest=self._nearest(code))
        billable = self._icd.is_leaf(code)
        leaves = () if billable else self.billable_under(code)
        header, siblings = self._siblings(code) if billable else (None, ())
        return CodeInfo(
            code=code,
            exists=True,
            title=self._icd.get_description(code),
            billable=billable,
            billable_codes=leaves,
            inclusion_terms=tuple(self._icd.get_inclusion_term(code)),
            excludes1=self._excludes1(code),
            header=header,
            siblings=siblings,
        )

    def _siblings(self, code: str) -> tuple[str | None, tuple[str, ...]]:
        """The header of a billable code and its other billable codes, if at most
        ``MAX_SIBLINGS``: a long list (all of M79) says nothing about the code asked."""
        header = self._icd.get_parent(code)
        if not header or not self.exists(header):
            return None, ()
        others = tuple(c for c in self.billable_under(header) if c != code)
        return (header, others) if 0 < len(others) <= MAX_SIBLINGS else (None, ())

    def billable_under(self, code: str) -> tuple[str, ...]:
        """The billable codes under a header, in tabular order (empty for a leaf)."""
        code = normal_code(code)
        descendants = self._icd.get_descendants(code)
        return tuple(d for d in descendants if self._icd.is_leaf(d))

    def is_under(self, code: str, header: str) -> bool:
        """Whether ``code`` is ``header`` or lies below it."""
        code, header = normal_code(code), normal_code(header)
        return code == header or (self.exists(code) and header in self._icd.get_ancestors(code))

    def conflicts(self, codes: list[str] | tuple[str, ...]) -> tuple[Conflict, ...]:
        """Every pair among ``codes`` that an Excludes1 note keeps apart, each pair once."""
        known = [c for c in dict.fromkeys(normal_code(c) for c in codes) if self.exists(c)]
        found: list[Conflict] = []
        for index, first in enumerate(known):
            for second in known[index + 1 :]:
                conflict = self._conflict(first, second) or self._conflict(second, first)
                if conflict is not None:
                    found.append(conflict)
        return tuple(found)

    def _conflict(self, code: str, other: str) -> Conflict | None:
        if self.is_under(code, other) or self.is_under(other, code):
            return None  # a header and a code below it
        for header, note in self._excludes1(code):
            if any(_covers(ref, other) for ref in _references(note)):
                return Conflict(code, other, header, note)
        return None

    def _excludes1(self, code: str) -> tuple[tuple[str, str], ...]:
        # Notes under a header apply to every code below it; chapters and blocks included.
        headers = [code, *self._icd.get_ancestors(code)]
        return tuple((h, note) for h in headers for note in self._icd.get_excludes1(h))

    def _nearest(self, code: str) -> str | None:
        for end in range(len(code) - 1, 2, -1):
            candidate = code[:end].rstrip(".")
            if self.exists(candidate):
                return candidate
        return None


def normal_code(code: str) -> str:
    """``m79.18`` or ``M79.18-`` -> ``M79.18``."""
    return code.strip().upper().rstrip("-").rstrip(".")


def _references(note: str) -> list[tuple[str, str]]:
    """The codes and ranges a note names in parentheses, as (first, last)."""
    inside = " ".join(_PARENTHESES.findall(note))
    return [(first, last or first) for first, last in _CODE_REF.findall(inside)]


def _covers(reference: tuple[str, str], code: str) -> bool:
    first, last = reference
    if first == last:
        return code.startswith(first)
    # A range such as M60-M63 spans categories: compare at the range ends' length.
    return first <= code[: len(first)] and code[: len(last)] <= last


# --- loading once ---------------------------------------------------------------------------

_lock = threading.Lock()
_files: CodeSetFiles | None = None
_loaded: CodeSet | None = None
# A release that failed to load (the state of its files then, and why), so that every
# question does not parse it again; an edit of the files or configure() tries anew.
_failure: tuple[object, str] | None = None
# Importing the package parses its own release; only after another one was loaded does
# going back to it need a second parse.
_other_release_loaded = False


def configure(files: CodeSetFiles | None) -> None:
    """Use this release (None: the package's own) from the next :func:`code_set` call on."""
    global _files, _loaded, _failure
    with _lock:
        if files != _files:
            _files, _loaded, _failure = files, None, None


def code_set() -> CodeSet:
    """The configured release, loaded on first use and kept; raises CodeSetError. A release
    that failed raises again without being read until its files change."""
    global _loaded, _failure
    with _lock:
        if _loaded is None:
            state = _files_state(_files)
            if _failure is not None and _failure[0] == state:
                raise CodeSetError(_failure[1])
            try:
                # Hundreds of thousands of objects that all survive (see bot.gcpause): the
                # collector only scanned them again and again while they were made (a third
                # of the load). One collection afterwards moves them to the oldest generation
                # at once, not during some later question.
                with collection_paused():
                    _loaded = _load(_files)
            except CodeSetError as error:
                _failure = (state, str(error))
                raise
            finally:
                gc.collect()
        return _loaded


def _files_state(files: CodeSetFiles | None) -> object:
    """What changes when a configured release's files are edited, added or removed."""
    if files is None:
        return None
    states: list[tuple[int, int] | None] = []
    for path in (files.tabular, files.codes):
        try:
            stat = path.stat()
        except OSError:
            states.append(None)
        else:
            states.append((stat.st_mtime_ns, stat.st_size))
    return tuple(states)


def is_loaded() -> bool:
    """Whether a release is loaded already (a lookup will not wait for the parse)."""
    return _loaded is not None


def _load(files: CodeSetFiles | None) -> CodeSet:
    global _other_release_loaded
    import simple_icd_10_cm as icd  # seconds and ~150 MB: only when needed

    if files is None:
        if _other_release_loaded:
            icd.change_version()
            _other_release_loaded = False
        return CodeSet(icd, _default_release(icd))
    for path in (files.tabular, files.codes):
        if not path.is_file():
            raise CodeSetError(f"ICD-10-CM file not found: {path}")
    _other_release_loaded = True  # even a failed load may have replaced some of the data
    try:
        icd.change_version(str(files.codes), str(files.tabular))
    except (ElementTree.ParseError, OSError, ValueError, LookupError) as error:
        # The package passes on what its XML parser and its indexing raise.
        message = f"cannot load the ICD-10-CM release {files.tabular}: {error}"
        raise CodeSetError(message) from error
    return CodeSet(icd, files.release or _release_of(files.tabular))


def _default_release(module: ModuleType) -> str:
    # The package does not export its release; its data file is named after it.
    name = str(getattr(module.simple_icd_10_cm, "_classification_data_package_file_name", ""))
    return _release_from_name(name) or f"{PACKAGE} {metadata.version(PACKAGE)} default"


def _release_of(tabular: Path) -> str:
    named = _release_from_name(tabular.name)
    if named:
        return named
    with tabular.open("rb") as handle:
        version = _VERSION_ELEMENT.search(handle.read(4096))
    year = version.group(1).decode("utf-8", "replace") if version else "unknown year"
    return f"{year} ({tabular.name})"


def _release_from_name(name: str) -> str | None:
    match = _RELEASE_IN_NAME.search(name)
    if match:
        return f"{match.group(1).capitalize()} {match.group(2)}"
    year = _YEAR_IN_NAME.search(name)
    return f"FY{year.group(1)}" if year else None
