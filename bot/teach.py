"""Teaching the bot a new wording: add a question to an entry's ``alternates``.

Used by ``run_bot.py teach`` and by the admins' buttons in Telegram. The YAML file that
holds the entry is edited with ruamel.yaml's round-trip mode, so comments, key order,
quoting and line layout stay as they were and the change is one added line in git. (The
bot itself still reads the knowledge with safe loading only; ruamel is used for writing.)

Nothing is written unless the changed knowledge loads, answers the taught question with
the entry and adds no collision warning (``knowledge_warnings``, what ``check`` prints) that
was not there before. The write is atomic (a temporary file renamed over the old one) and
the previous file is kept as a backup outside the knowledge directory.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fcntl
import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import process

from bot import icd10
from bot.checks import knowledge_warnings
from bot.icd10_check import check_codes, quoted_codes
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.matching import Matcher, Status, Thresholds
from bot.text import normalise

# ruamel.yaml is imported where a file is edited: the bot imports this module when it
# starts (the admins' teach buttons), and ruamel would add 30 ms to every start.
if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

EXIT_FAILED, EXIT_USAGE = 1, 2
# A wording is a question as people type it; a paragraph is not a wording.
MAX_WORDING = 300
BACKUP_DIR_NAME = "knowledge-backups"
LOCK_NAME = ".teach.lock"
# The same warning with another score is not a new collision.
_SCORE = re.compile(r" \(score \d+\)")
# Adding an alternate changes these counts by design; they are not collisions.
_FEW_ALTERNATES = re.compile(r": only \d+ alternates ")


class TeachError(Exception):
    """Why nothing was written; ``exit_code`` is 1 (refused) or 2 (bad input)."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Taught:
    """What one teach changed."""

    entry_id: str
    wording: str
    path: Path
    line: int
    backup: Path
    knowledge: KnowledgeBase

    def describe(self) -> str:
        return (
            f"Added {self.wording!r} to entry '{self.entry_id}' in {self.path}"
            f" (line {self.line}); the previous file is kept as {self.backup}."
        )


def clean_wording(raw: str) -> str:
    """One line of text, spaces collapsed; bad input raises TeachError (exit 2)."""
    wording = " ".join(raw.split())
    if not wording:
        raise TeachError("The question to teach is empty.", EXIT_USAGE)
    if len(wording) > MAX_WORDING:
        raise TeachError(
            f"The question to teach is {len(wording)} characters long; a wording is at most"
            f" {MAX_WORDING}.",
            EXIT_USAGE,
        )
    return wording


def knowledge_digest(directory: Path) -> str:
    """A short fingerprint of the knowledge files: tells whether they changed on disk."""
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:8]


def teach(
    directory: Path,
    entry_id: str,
    raw_wording: str,
    *,
    thresholds: Thresholds,
    backup_dir: Path,
    expected_digest: str | None = None,
    today: dt.date | None = None,
) -> Taught:
    """Add ``raw_wording`` to the alternates of ``entry_id``, or raise TeachError.

    ``expected_digest`` (from :func:`knowledge_digest`) refuses the change when the files
    changed since the caller looked at them, for example since a report was sent.
    """
    directory = Path(directory)
    wording = clean_wording(raw_wording)
    today = today or dt.datetime.now(dt.UTC).date()
    with _locked(backup_dir):
        if expected_digest is not None and knowledge_digest(directory) != expected_digest:
            raise TeachError(
                "The knowledge files changed since this report was made; nothing was"
                " changed. Ask for a new report and try again."
            )
        before = _load(directory, "The knowledge files do not load now")
        entry = before.entry(entry_id)
        if entry is None:
            raise TeachError(_unknown_entry(entry_id, before))
        known = {normalise(text) for text in (entry.question, *entry.alternates)}
        if normalise(wording) in known:
            raise TeachError(f"Entry '{entry_id}' already has the wording {wording!r}.")
        path = _file_of(directory, entry_id)
        old_text = path.read_text(encoding="utf-8")
        new_text, line = with_alternate(old_text, entry_id, wording)
        after = _validate(before, directory, path, new_text, entry_id, wording, thresholds, today)
        backup = _backup(path, backup_dir)
        _replace(path, old_text, new_text)
    return Taught(entry_id, wording, path, line, backup, after)


def with_alternate(text: str, entry_id: str, wording: str) -> tuple[str, int]:
    """``text`` with ``wording`` appended to the entry's alternates, and the new line's
    number; raises TeachError if that would change any other line."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.error import YAMLError

    yaml = _round_trip()
    try:
        data = yaml.load(text)
    except YAMLError as error:
        raise TeachError(f"The file does not parse as YAML: {error}") from None
    entry = _entry_map(data, entry_id)
    if entry is None:
        raise TeachError(f"Entry '{entry_id}' is not in this file.")
    alternates = entry.get("alternates")
    if alternates is None:
        position = list(entry).index("question") + 1 if "question" in entry else len(entry)
        entry.insert(position, "alternates", CommentedSeq([wording]))
    elif isinstance(alternates, CommentedSeq):
        alternates.append(wording)
    else:
        raise TeachError(f"The alternates of entry '{entry_id}' are not a list.")
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    return new_text, _only_added_line(text, new_text, entry_id)


def _only_added_line(old: str, new: str, entry_id: str) -> int:
    """The 1-based number of the one line ``new`` adds to ``old``; TeachError otherwise."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    changes = [
        op
        for op in difflib.SequenceMatcher(None, old_lines, new_lines).get_opcodes()
        if op[0] != "equal"
    ]
    if len(changes) == 1 and changes[0][0] == "insert" and changes[0][4] - changes[0][3] <= 2:
        return changes[0][3] + 1
    raise TeachError(
        f"Adding the wording would rewrite other lines of the file (the alternates of"
        f" '{entry_id}' are laid out in a way that cannot simply be extended); add it by hand."
    )


def _round_trip() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _entry_map(data: object, entry_id: str) -> CommentedMap | None:
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(data, CommentedMap) or not isinstance(data.get("entries"), list):
        return None
    return next(
        (e for e in data["entries"] if isinstance(e, CommentedMap) and e.get("id") == entry_id),
        None,
    )


def _file_of(directory: Path, entry_id: str) -> Path:
    # The id appears as text in its file; parse only the files that contain it.
    pattern = re.compile(rf"\bid:\s*['\"]?{re.escape(entry_id)}['\"]?\s*$", re.MULTILINE)
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if pattern.search(text) and _entry_map(_round_trip().load(text), entry_id) is not None:
            return path
    raise TeachError(f"Cannot find the file that holds entry '{entry_id}' in {directory}.")


def _unknown_entry(entry_id: str, knowledge: KnowledgeBase) -> str:
    ids = [e.id for e in knowledge.entries]
    close = [match for match, _, _ in process.extract(entry_id, ids, limit=3, score_cutoff=60)]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return f"There is no entry '{entry_id}'.{hint}"


def _load(directory: Path, problem: str) -> KnowledgeBase:
    try:
        return load_knowledge(directory)
    except KnowledgeError as error:
        raise TeachError(f"{problem}; nothing was changed:\n{error}") from None


def _validate(
    before: KnowledgeBase,
    directory: Path,
    path: Path,
    new_text: str,
    entry_id: str,
    wording: str,
    thresholds: Thresholds,
    today: dt.date,
) -> KnowledgeBase:
    """Load a copy of the directory with the new file, as ``check`` would; TeachError if it
    fails, leaves the question unanswered or adds a collision."""
    with tempfile.TemporaryDirectory(prefix="teach-") as scratch:
        copy = Path(scratch)
        for source in directory.glob("*.yaml"):
            shutil.copyfile(source, copy / source.name)
        (copy / path.name).write_text(new_text, encoding="utf-8")
        after = _load(copy, "With this wording the knowledge would not load")
        before_matcher = Matcher(before, thresholds)
        after_matcher = Matcher(after, thresholds)
        result = after_matcher.answer(wording)
        if result.status != Status.ANSWER or result.entry is None or result.entry.id != entry_id:
            got = result.entry.id if result.entry else result.status.value
            raise TeachError(
                f"Even with this wording the question would not be answered with"
                f" '{entry_id}' (it gets {got}); nothing was changed."
            )
        new = _new_warnings(before_matcher, after_matcher, today)
        if quoted_codes(wording):  # only a wording that quotes a code can add a code problem
            new += _new_code_problems(directory, copy)
    if new:
        listed = "\n".join(f"  {warning}" for warning in new)
        raise TeachError(
            f"Adding {wording!r} to '{entry_id}' would make other questions match worse;"
            f" nothing was changed:\n{listed}"
        )
    return after


def _new_warnings(before: Matcher, after: Matcher, today: dt.date) -> list[str]:
    # Late import: check's warnings live with the command line (bot.cli imports this module).

    def keys(matcher: Matcher) -> dict[str, str]:
        return {
            _SCORE.sub("", warning): warning
            for warning in knowledge_warnings(matcher, today)
            if not _FEW_ALTERNATES.search(warning)
        }

    old = keys(before)
    return [warning for key, warning in keys(after).items() if key not in old]


def _new_code_problems(directory: Path, copy: Path) -> list[str]:
    try:
        codes = icd10.code_set()
    except icd10.CodeSetError:
        return []  # check reports a missing code set itself; teaching adds no codes to lists

    def messages(where: Path) -> set[str]:
        return {f"{p.entry_id}: {p.message}" for p in check_codes(where, codes)}

    return sorted(messages(copy) - messages(directory))


@contextmanager
def _locked(backup_dir: Path) -> Iterator[None]:
    """One teach at a time, between the bot and the command line too."""
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(backup_dir / LOCK_NAME, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _backup(path: Path, backup_dir: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    backup = backup_dir / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, backup)
    return backup


def _replace(path: Path, old_text: str, new_text: str) -> None:
    """Write ``new_text`` to a temporary file beside ``path`` and rename it over ``path``."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(new_text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        if path.read_text(encoding="utf-8") != old_text:  # edited while we validated
            raise TeachError(f"{path} changed while the wording was checked; nothing was changed.")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def suggestions(matcher: Matcher, question: str, limit: int = 3) -> list[tuple[str, str, int]]:
    """The entries the matcher would offer for ``question``: ``(id, question, score)``."""
    result = matcher.answer(question)
    return [(c.entry.id, c.entry.question, c.score) for c in result.candidates[:limit]]
