"""Question log rows for teaching: ids handed out when queued, votes naming their question,
ignored groups, and databases written before these existed."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from bot.logreader import LogReader
from bot.matching import Matcher
from bot.questionlog import QuestionLog

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
OLD_SCHEMA = """
CREATE TABLE questions (id INTEGER PRIMARY KEY, asked_at TEXT NOT NULL, chat_type TEXT NOT NULL,
    status TEXT NOT NULL, entry_id TEXT, score INTEGER NOT NULL, question TEXT);
CREATE TABLE votes (message_key TEXT PRIMARY KEY, entry_id TEXT NOT NULL,
    helpful INTEGER NOT NULL, voted_at TEXT NOT NULL);
"""


def test_an_older_database_gets_the_new_column_and_ids_continue(tmp_path: Path, matcher: Matcher):
    with sqlite3.connect(tmp_path / "questions.sqlite3") as db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO questions VALUES (41, '2026-11-01T00:00:00+00:00', 'private', 'none',"
            " NULL, 10, 'old question')"
        )
    log = QuestionLog(tmp_path)
    log.start()
    row = log.record("private", matcher.answer("can i exercise after the injection"))
    log.vote(1, 2, "aftercare", helpful=False, question_id=row)
    log.close()
    assert row == 42
    reader = LogReader(log.path)
    assert reader.question(42) == "can i exercise after the injection"
    assert reader.question(41) == "old question" and reader.question(999) is None
    [rated] = reader.not_helpful(EPOCH)
    assert (rated.row_id, rated.entry_id) == (42, "aftercare")


def test_ignored_groups_leave_the_report(tmp_path: Path, matcher: Matcher):
    log = QuestionLog(tmp_path)
    log.start()
    for question in ("symptoms of covid", "covid symptoms?", "cpt for knee replacement"):
        log.record("private", matcher.answer(question))
    log.close()
    reader = LogReader(log.path)
    groups = reader.unanswered(EPOCH)
    assert sorted(g.count for g in groups) == [1, 2]  # the covid wordings grouped
    assert all(reader.question(g.row_id) == g.question for g in groups)
    log.ignore("Symptoms of COVID")
    assert [g.question for g in reader.unanswered(EPOCH)] == ["cpt for knee replacement"]
