"""``check``: every ICD-10-CM code the knowledge base quotes, validated against the code set.

- Every code in an entry's question, alternates, keywords and answer, and in a
  covered-diagnosis list, must exist in the tabular.
- A code an answer presents is a code to bill, so it must be billable. A header such as
  M79.1 or G44.2 may be named only as a header: written with a dash (``M79.1-``) or
  together with a billable code under it (``M79.1 ... M79.10, M79.11``).
- Two codes an Excludes1 note keeps apart (M79.1x and M79.7) must not be presented as
  billable together: an answer naming both says "Excludes1".
- A covered-diagnosis list holds billable codes only.

Problems name the file, the line and the entry, like the loader's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.icd10 import CodeSet, Conflict
from bot.knowledge import Problem
from bot.knowledge.loader import SafeLoader
from bot.text import display_code, is_icd10_code, normalise

ENTRY_TEXT_FIELDS = ("question", "alternates", "keywords", "answer")
# An answer that names two codes an Excludes1 note keeps apart says so with this word.
EXCLUDES1_STATEMENT = re.compile(r"\bexcludes\s*-?\s*1\b", re.IGNORECASE)
# Every ICD-10-CM code has a letter, two digits and a dot: an ASCII file without one quotes
# no code and is not composed (composing 10,000 entries takes seconds even with libyaml).
# Other files are composed: folding (full-width letters) can make a code of them.
MAYBE_QUOTES_A_CODE = re.compile(r"[a-z]\d\d\.", re.IGNORECASE)


@dataclass(frozen=True)
class CodeText:
    """A knowledge text that may quote ICD-10-CM codes, and where it is."""

    path: str
    line: int
    owner: str  # the entry or list id
    field: str
    text: str
    # The file lines the text spans, to point at the line quoting a code.
    lines: tuple[str, ...] = ()

    def line_of(self, code: str) -> int:
        """The first file line of this text that quotes ``code``."""
        pattern = _quoting(code)
        for offset, line in enumerate(self.lines):
            if pattern.search(line):
                return self.line + offset
        return self.line


def check_codes(directory: Path | str, codes: CodeSet) -> list[Problem]:
    """Every problem with the ICD-10-CM codes of the knowledge files in ``directory``."""
    return check_code_texts(quoting_texts(directory), codes)


def quoting_texts(directory: Path | str) -> list[CodeText]:
    """The knowledge texts in ``directory`` that quote an ICD-10-CM code: none, and the code
    set (seconds to parse) is not needed."""
    return [text for text in knowledge_code_texts(Path(directory)) if quoted_codes(text.text)]


def check_code_texts(texts: list[CodeText], codes: CodeSet) -> list[Problem]:
    """Every problem with the ICD-10-CM codes ``texts`` quote."""
    problems: list[Problem] = []
    for text in texts:
        problems += _check_text(text, codes)
    return problems


def _check_text(text: CodeText, codes: CodeSet) -> list[Problem]:
    quoted = list(dict.fromkeys(quoted_codes(text.text)))
    problems = [
        _problem(
            text,
            code,
            f"{text.field} names {code}, which is not an ICD-10-CM code ({codes.label})",
        )
        for code in quoted
        if not codes.exists(code)
    ]
    known = [code for code in quoted if codes.exists(code)]
    if text.field == "codes":
        problems += [
            _problem(
                text,
                code,
                f"{code} is a header, not billable: list its billable codes"
                f" ({', '.join(codes.billable_under(code))})",
            )
            for code in known
            if not codes.is_billable(code)
        ]
    if text.field != "answer":
        return problems
    billable = [code for code in known if codes.is_billable(code)]
    for code in known:
        if not codes.is_billable(code) and not _named_as_header(text.text, code, billable, codes):
            under = ", ".join(codes.billable_under(code))
            problems.append(
                _problem(
                    text,
                    code,
                    f"the answer presents {code} as a code to bill, but it is a header"
                    f" (not billable): write it as {code}- or name its billable codes ({under})",
                )
            )
    if not EXCLUDES1_STATEMENT.search(text.text):
        problems += _conflict_problems(text, codes.conflicts(known))
    return problems


def _conflict_problems(text: CodeText, conflicts: tuple[Conflict, ...]) -> list[Problem]:
    """One problem per Excludes1 note, naming the answer's codes on each side of it."""
    sides: dict[tuple[str, str], tuple[dict[str, None], dict[str, None]]] = {}
    for conflict in conflicts:
        noted, excluded = sides.setdefault((conflict.header, conflict.note), ({}, {}))
        noted[conflict.code] = excluded[conflict.excluded] = None
    problems = []
    for (header, note), (noted, excluded) in sides.items():
        # Where the pair is complete: the later of the codes' first lines.
        line = max(text.line_of(code) for code in (*noted, *excluded))
        message = (
            f"the answer presents {', '.join(noted)} together with {', '.join(excluded)} as"
            f" billable, but an Excludes1 note under {header} keeps them apart ({note!r});"
            " drop one side or say so (Excludes1)"
        )
        problems.append(Problem(text.path, line, message, text.owner))
    return problems


def _named_as_header(answer: str, header: str, billable: list[str], codes: CodeSet) -> bool:
    dashed = re.compile(rf"(?<![\w.]){re.escape(header)}\.?-", re.IGNORECASE)
    return bool(dashed.search(answer)) or any(codes.is_under(c, header) for c in billable)


def _problem(text: CodeText, code: str, message: str) -> Problem:
    return Problem(text.path, text.line_of(code), message, text.owner)


def quoted_codes(text: str) -> list[str]:
    """The ICD-10-CM codes ``text`` quotes, as people write them, in order."""
    return [display_code(token) for token in normalise(text).split() if is_icd10_code(token)]


def _quoting(code: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.]){re.escape(code)}(?![\w])", re.IGNORECASE)


# --- where the codes are ----------------------------------------------------------------------


def knowledge_code_texts(directory: Path) -> Iterator[CodeText]:
    """The entry texts and diagnosis-list codes of every knowledge file, with their lines."""
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        text = path.read_text(encoding="utf-8")
        if text.isascii() and not MAYBE_QUOTES_A_CODE.search(text):
            continue
        # Composing builds nodes (with their lines) and constructs no objects: safe.
        root = yaml.compose(text, Loader=SafeLoader)
        file_lines = tuple(text.splitlines())
        for section, fields in (("entries", ENTRY_TEXT_FIELDS), ("diagnosis_lists", ("codes",))):
            for item in _items(root, section):
                yield from _texts(str(path), file_lines, item, fields)


def _items(root: yaml.Node | None, section: str) -> list[yaml.MappingNode]:
    value = _value(root, section)
    if not isinstance(value, yaml.SequenceNode):
        return []
    return [item for item in value.value if isinstance(item, yaml.MappingNode)]


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for k, value in node.value if k.value == key), None)


def _texts(
    path: str, file_lines: tuple[str, ...], item: yaml.MappingNode, fields: tuple[str, ...]
) -> Iterator[CodeText]:
    id_node = _value(item, "id")
    owner = str(id_node.value) if isinstance(id_node, yaml.ScalarNode) else "?"
    for field in fields:
        node = _value(item, field)
        scalars = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for scalar in scalars:
            if isinstance(scalar, yaml.ScalarNode):
                start, end = scalar.start_mark.line, scalar.end_mark.line
                spanned = file_lines[start : end + 1]
                yield CodeText(path, start + 1, owner, field, str(scalar.value), spanned)
