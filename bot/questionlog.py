"""The question log and answer feedback, in SQLite (stdlib ``sqlite3``).

What is stored: per question the time, chat type (private, group, inline), status, matched
entry, score and, unless ``QUESTION_LOG=off``, the question text. Per vote a salted hash of
the message it was cast on, the entry and helpful / not helpful. No user ids, names,
usernames or chat ids are stored: people paste patient details into questions, and the log
must not tie them to a person. Rows older than ``QUESTION_LOG_DAYS`` are purged at start-up
and daily.

Writes never block the event loop: ``record`` and ``vote`` put a row on a queue that one
writer thread commits in batches (WAL mode, ``synchronous=FULL``: a committed row survives a
crash). If the database cannot be opened or written, the bot keeps answering; the writer
logs one clear error, drops what it cannot write and tries again a minute later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import logging
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.matching import Result, Status
from bot.text import normalise

logger = logging.getLogger(__name__)

DATABASE_NAME = "questions.sqlite3"
BATCH_SIZE = 500
RETRY_SECONDS = 60.0
# How long a write waits for another process's lock before giving up on that batch.
BUSY_TIMEOUT_MS = 5000
PURGE_EVERY = dt.timedelta(days=1)
# Rows waiting for the writer. A stalled disk must not grow memory without limit: beyond
# this, new rows are dropped and counted (answers go on regardless).
MAX_QUEUED = 10_000
# Questions are personal data: the database (and SQLite's -wal/-shm files, which copy its
# mode) is readable by the bot's user only; so is a data directory the bot creates.
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,
    chat_type TEXT NOT NULL,
    status TEXT NOT NULL,
    entry_id TEXT,
    score INTEGER NOT NULL,
    question TEXT
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE TABLE IF NOT EXISTS votes (
    message_key TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    voted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ignored (
    question TEXT PRIMARY KEY,
    ignored_at TEXT NOT NULL
);
"""
# Added after the first release: databases created before get the column on opening.
VOTE_QUESTION_COLUMN = "ALTER TABLE votes ADD COLUMN question_id INTEGER"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class _Question:
    row_id: int
    asked_at: dt.datetime
    chat_type: str
    status: str
    entry_id: str | None
    score: int
    text: str | None


@dataclass(frozen=True)
class _Vote:
    chat_id: int
    message_id: int
    entry_id: str
    helpful: bool
    voted_at: dt.datetime
    question_id: int | None = None


class QuestionLog:
    """Records questions and votes off the event loop (reports read with LogReader)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        keep_texts: bool = True,
        retention_days: int = 90,
        clock: Callable[[], dt.datetime] = utc_now,
        max_queued: int = MAX_QUEUED,
    ) -> None:
        self.path = Path(data_dir) / DATABASE_NAME
        self.keep_texts = keep_texts
        self.retention = dt.timedelta(days=retention_days)
        self.clock = clock
        self._queue: queue.Queue[_Question | _Vote | None] = queue.Queue(max_queued)
        self.dropped = 0
        self._thread: threading.Thread | None = None
        self._connection: sqlite3.Connection | None = None
        self._salt = b""
        self._failed_at: float | None = None
        self._last_purge: dt.datetime | None = None
        self._ids: Iterator[int] | None = None

    # --- writing (any thread; never blocks) ---------------------------------------------

    def start(self) -> None:
        """Start the writer thread; it opens the database and purges old rows."""
        if self._ids is None:
            self._ids = itertools.count(self._first_free_id())
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
            self._thread.start()

    def _first_free_id(self) -> int:
        """Row ids are handed out when a question is queued, so that the answer's feedback
        buttons can name its row; they continue from the database's highest id."""
        if not self.path.exists():
            return 1
        try:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as db:
                highest = db.execute("SELECT MAX(id) FROM questions").fetchone()[0]
        except sqlite3.Error:
            # Unreadable now (the writer will say why): microseconds since 1970 are above
            # any id it may hold.
            return time.time_ns() // 1000
        return int(highest or 0) + 1

    def record(self, chat_type: str, result: Result) -> int:
        """Queue one handled question; returns its row id."""
        entry_id = result.best.entry.id if result.best and result.status != Status.NONE else None
        if result.icd10 is not None:  # answered from the code set: log the codes asked
            entry_id = "icd10:" + ",".join(result.icd10.codes)
        text = result.query if self.keep_texts else None
        status = result.status.value
        if self._ids is None:  # never started: ids from the database, as start() does
            self._ids = itertools.count(self._first_free_id())
        row_id = next(self._ids)
        self._put(_Question(row_id, self.clock(), chat_type, status, entry_id, result.score, text))
        return row_id

    def vote(
        self,
        chat_id: int,
        message_id: int,
        entry_id: str,
        *,
        helpful: bool,
        question_id: int | None = None,
    ) -> None:
        """Queue a vote; a second vote on the same message replaces the first.

        ``question_id`` is the question log row the answer was for, if known.
        """
        self._put(_Vote(chat_id, message_id, entry_id, helpful, self.clock(), question_id))

    def ignore(self, question: str) -> None:
        """Leave this question and wordings like it out of later unanswered reports.

        Writes at once (not through the queue): an admin waits for the confirmation.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)) as db, db:
            db.executescript(SCHEMA)
            db.execute(
                "INSERT OR REPLACE INTO ignored (question, ignored_at) VALUES (?, ?)",
                (normalise(question), self.clock().isoformat()),
            )

    def _put(self, item: _Question | _Vote) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                logger.warning(
                    "question log %s: the disk is not keeping up; %d rows dropped so far",
                    self.path,
                    self.dropped,
                )

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far has been handled (written or dropped)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer thread."""
        if self._thread is not None:
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                logger.error("question log %s: the disk stalls; stopping unwritten", self.path)
            self._thread.join(timeout)
            self._thread = None

    # --- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        self._maybe_purge()  # at start-up, then daily
        while True:
            try:
                first = self._queue.get(timeout=1.0)
            except queue.Empty:
                self._maybe_purge()
                continue
            batch = [first]
            while len(batch) < BATCH_SIZE:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = None in batch
            self._write([item for item in batch if item is not None])
            for _ in batch:
                self._queue.task_done()
            if stop:
                if self._connection is not None:
                    self._connection.close()
                return
            self._maybe_purge()

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is not None:
            return self._connection
        if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_SECONDS:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
            connection = sqlite3.connect(self.path)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.executescript(SCHEMA)
            columns = [row[1] for row in connection.execute("PRAGMA table_info(votes)")]
            if "question_id" not in columns:
                connection.execute(VOTE_QUESTION_COLUMN)
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)",
                (secrets.token_hex(32),),
            )
            connection.commit()
            row = connection.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            self._salt = bytes.fromhex(row[0])
        except (sqlite3.Error, OSError, ValueError) as error:
            self._fail("cannot open", error)
            return None
        if self._failed_at is not None:
            logger.info("question log %s is writable again", self.path)
        self._failed_at = None
        self._connection = connection
        return connection

    def _fail(self, action: str, error: Exception) -> None:
        if self._failed_at is None:  # one clear error per outage, not one per question
            logger.error(
                "question log %s: %s it (%s); answers go on, questions are not recorded"
                " until it works again",
                self.path,
                action,
                error,
            )
        self._failed_at = time.monotonic()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _write(self, items: list[_Question | _Vote]) -> None:
        connection = self._open()
        if connection is None or not items:
            return
        questions = [
            (q.row_id, q.asked_at.isoformat(), q.chat_type, q.status, q.entry_id, q.score, q.text)
            for q in items
            if isinstance(q, _Question)
        ]
        votes = [
            (
                self._key(v.chat_id, v.message_id),
                v.entry_id,
                int(v.helpful),
                v.voted_at.isoformat(),
                v.question_id,
            )
            for v in items
            if isinstance(v, _Vote)
        ]
        try:
            with connection:
                connection.executemany(
                    "INSERT OR IGNORE INTO questions (id, asked_at, chat_type, status, entry_id,"
                    " score, question) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    questions,
                )
                connection.executemany(
                    "INSERT INTO votes (message_key, entry_id, helpful, voted_at, question_id)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_key) DO UPDATE SET"
                    " entry_id = excluded.entry_id, helpful = excluded.helpful,"
                    " voted_at = excluded.voted_at,"
                    " question_id = COALESCE(excluded.question_id, question_id)",
                    votes,
                )
        except sqlite3.Error as error:
            self._fail("cannot write to", error)

    def _key(self, chat_id: int, message_id: int) -> str:
        """Tells messages apart without storing who or where: HMAC with a stored salt."""
        message = f"{chat_id}:{message_id}".encode()
        return hmac.new(self._salt, message, hashlib.sha256).hexdigest()

    def _maybe_purge(self) -> None:
        now = self.clock()
        if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
            return
        connection = self._open()
        if connection is None:
            return
        cutoff = (now - self.retention).isoformat()
        try:
            with connection:
                gone = connection.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
                connection.execute("DELETE FROM votes WHERE voted_at < ?", (cutoff,))
        except sqlite3.Error as error:
            self._fail("cannot purge", error)
            return
        self._last_purge = now
        if gone.rowcount:
            logger.info("question log: purged %d questions older than %s", gone.rowcount, cutoff)
