"""The report queries on the question log: stats, unanswered questions, counts, and the
questions the teach buttons name by row id.

:class:`bot.questionlog.QuestionLog` writes the log; this module only reads it, read-only,
for ``/stats``, ``/unanswered`` and ``run_bot.py report`` (see :mod:`bot.reports`). Call it
from a worker thread: it touches the disk.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.questionlog import DATABASE_NAME
from bot.text import counted, normalise

GROUPING_CUTOFF = 85


@dataclass(frozen=True)
class EntryVotes:
    entry_id: str
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class UnansweredGroup:
    """Similar wordings of a question the bot could not answer, with how often they came."""

    question: str
    count: int
    wordings: int
    # The question log row of ``question``: buttons name it instead of carrying its text.
    row_id: int = 0

    def summary(self) -> str:
        """How reports list it: "3 × 'cpt for knee replacement' (2 wordings)"."""
        return f"{self.count} × {self.question!r} ({counted(self.wordings, 'wording')})"


@dataclass(frozen=True)
class RatedQuestion:
    """A question whose answer got a "not helpful" vote."""

    row_id: int
    question: str
    entry_id: str


@dataclass(frozen=True)
class Stats:
    """What was asked since a date."""

    since: dt.datetime
    by_status: dict[str, int]
    top_entries: list[tuple[str, int]]
    votes: list[EntryVotes]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


class LogReader:
    """Reads the question log database at ``path``, never writing to it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_directory(cls, data_dir: Path) -> LogReader:
        """The reader of the log a QuestionLog on ``data_dir`` writes."""
        return cls(Path(data_dir) / DATABASE_NAME)

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        # as_uri() escapes what a URI would misread in a directory name ("#", "?", spaces).
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            yield connection

    def exists(self) -> bool:
        return self.path.exists()

    def stats(self, since: dt.datetime, top: int = 10) -> Stats:
        """Questions by status, the most asked entries and the votes, since ``since``."""
        start = since.isoformat()
        with self._reader() as db:
            by_status = dict(
                db.execute(
                    "SELECT status, COUNT(*) FROM questions WHERE asked_at >= ? GROUP BY status",
                    (start,),
                ).fetchall()
            )
            top_entries = db.execute(
                "SELECT entry_id, COUNT(*) AS n FROM questions WHERE asked_at >= ?"
                " AND status = 'answer' GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
                (start, top),
            ).fetchall()
            votes = db.execute(
                "SELECT entry_id, SUM(helpful), SUM(1 - helpful) FROM votes"
                " WHERE voted_at >= ? GROUP BY entry_id ORDER BY entry_id",
                (start,),
            ).fetchall()
        return Stats(since, by_status, top_entries, [EntryVotes(*row) for row in votes])

    def unanswered(self, since: dt.datetime, top: int = 10) -> list[UnansweredGroup]:
        """The most frequent questions that got none or suggest, similar wordings together;
        groups an admin chose to ignore are left out."""
        with self._reader() as db:
            rows = db.execute(
                "SELECT question, COUNT(*), MAX(id) FROM questions WHERE asked_at >= ?"
                " AND status IN ('none', 'suggest') AND question IS NOT NULL"
                " GROUP BY question",
                (since.isoformat(),),
            ).fetchall()
            ignored = _ignored(db)
        groups = [
            group
            for group in group_similar(rows)
            if not ignored
            or process.extractOne(
                normalise(group.question),
                ignored,
                scorer=fuzz.token_set_ratio,
                score_cutoff=GROUPING_CUTOFF,
            )
            is None
        ]
        return groups[:top]

    def question(self, row_id: int) -> str | None:
        """The text of one logged question (None if purged, never stored or unknown)."""
        with self._reader() as db:
            row = db.execute("SELECT question FROM questions WHERE id = ?", (row_id,)).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def not_helpful(self, since: dt.datetime, top: int = 5) -> list[RatedQuestion]:
        """The latest questions whose answer was voted "not helpful", with that entry."""
        with self._reader() as db:
            if "question_id" not in [r[1] for r in db.execute("PRAGMA table_info(votes)")]:
                return []
            rows = db.execute(
                "SELECT q.id, q.question, v.entry_id FROM votes v"
                " JOIN questions q ON q.id = v.question_id"
                " WHERE v.helpful = 0 AND v.voted_at >= ? AND q.question IS NOT NULL"
                " ORDER BY v.voted_at DESC LIMIT ?",
                (since.isoformat(), top),
            ).fetchall()
        return [RatedQuestion(*row) for row in rows]

    def count(self) -> int:
        with self._reader() as db:
            count: int = db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        return count


def _ignored(db: sqlite3.Connection) -> list[str]:
    """The normalised questions an admin ignored (none in a database older than that)."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ignored'"
    ).fetchone()
    return [row[0] for row in db.execute("SELECT question FROM ignored")] if exists else []


def group_similar(
    rows: Sequence[tuple[str, int] | tuple[str, int, int]],
) -> list[UnansweredGroup]:
    """Group wordings whose normalised text is alike (rapidfuzz token-set ratio).

    A row is ``(question, count)`` or ``(question, count, row id)``; a group's row id is
    that of its most frequent wording.
    """
    representatives: list[str] = []
    groups: list[list[tuple[str, int, int]]] = []
    for row in sorted(rows, key=lambda row: (-row[1], row[0])):
        item = (row[0], row[1], row[2] if len(row) == 3 else 0)
        key = normalise(item[0])
        match = process.extractOne(
            key, representatives, scorer=fuzz.token_set_ratio, score_cutoff=GROUPING_CUTOFF
        )
        if match is None:
            representatives.append(key)
            groups.append([item])
        else:
            groups[match[2]].append(item)
    result = [
        UnansweredGroup(group[0][0], sum(row[1] for row in group), len(group), group[0][2])
        for group in groups
    ]
    return sorted(result, key=lambda g: (-g.count, g.question))
