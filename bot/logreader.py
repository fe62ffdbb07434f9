"""The report queries on the question log: stats, unanswered questions, counts.

:class:`bot.questionlog.QuestionLog` writes the log; this module only reads it, read-only,
for ``/stats``, ``/unanswered`` and ``run_bot.py report`` (see :mod:`bot.reports`). Call it
from a worker thread: it touches the disk.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.questionlog import DATABASE_NAME
from bot.text import normalise

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
        """The most frequent questions that got none or suggest, similar wordings together."""
        with self._reader() as db:
            rows = db.execute(
                "SELECT question, COUNT(*) FROM questions WHERE asked_at >= ?"
                " AND status IN ('none', 'suggest') AND question IS NOT NULL"
                " GROUP BY question",
                (since.isoformat(),),
            ).fetchall()
        return group_similar(rows)[:top]

    def count(self) -> int:
        with self._reader() as db:
            count: int = db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        return count


def group_similar(rows: list[tuple[str, int]]) -> list[UnansweredGroup]:
    """Group wordings whose normalised text is alike (rapidfuzz token-set ratio)."""
    representatives: list[str] = []
    groups: list[list[tuple[str, int]]] = []
    for question, count in sorted(rows, key=lambda row: (-row[1], row[0])):
        key = normalise(question)
        match = process.extractOne(
            key, representatives, scorer=fuzz.token_set_ratio, score_cutoff=GROUPING_CUTOFF
        )
        if match is None:
            representatives.append(key)
            groups.append([(question, count)])
        else:
            groups[match[2]].append((question, count))
    result = [
        UnansweredGroup(group[0][0], sum(count for _, count in group), len(group))
        for group in groups
    ]
    return sorted(result, key=lambda g: (-g.count, g.question))
