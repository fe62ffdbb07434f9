"""The question log: what is stored (and not), votes, retention, crashes and bad disks."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logreader import LogReader, group_similar
from bot.matching import Matcher
from bot.questionlog import DATABASE_NAME, QuestionLog
from tests.conftest import ROOT


def rows(path: Path, query: str) -> list[tuple]:
    with sqlite3.connect(path / DATABASE_NAME) as db:
        return db.execute(query).fetchall()


@pytest.fixture
def log(tmp_path: Path):
    question_log = QuestionLog(tmp_path)
    question_log.start()
    yield question_log
    question_log.close()


def test_records_what_was_asked_and_nothing_about_who(
    log: QuestionLog, matcher: Matcher, tmp_path
):
    log.record("private", matcher.answer("can i bill 20552 twice"))
    log.record("group", matcher.answer("symptoms of covid"))
    log.record("inline", matcher.answer("hello"))
    assert log.flush()
    stored = rows(tmp_path, "SELECT chat_type, status, entry_id, score, question FROM questions")
    assert (
        stored[0][:3] == ("private", "answer", "billing-units")
        and stored[0][4] == "can i bill 20552 twice"
    )
    assert stored[1][:3] == ("group", "none", None)
    assert stored[2][:3] == ("inline", "smalltalk", None)
    columns = {row[1] for row in rows(tmp_path, "PRAGMA table_info(questions)")}
    assert columns == {"id", "asked_at", "chat_type", "status", "entry_id", "score", "question"}
    assert rows(tmp_path, "PRAGMA journal_mode") == [("wal",)]


def test_texts_can_be_switched_off(tmp_path: Path, matcher: Matcher):
    log = QuestionLog(tmp_path, keep_texts=False)
    log.start()
    log.record("private", matcher.answer("what is a tpi"))
    log.close()
    assert rows(tmp_path, "SELECT status, entry_id, question FROM questions") == [
        ("answer", "what-is-tpi", None)
    ]


def test_one_vote_per_message_and_a_second_press_changes_it(log: QuestionLog, tmp_path: Path):
    log.vote(42, 1000, "cpt-code", helpful=True)
    log.vote(42, 1000, "cpt-code", helpful=False)
    log.vote(42, 1001, "cpt-code", helpful=True)
    log.vote(43, 1000, "cpt-code", helpful=True)  # another chat's message 1000
    assert log.flush()
    votes = rows(tmp_path, "SELECT message_key, helpful FROM votes ORDER BY voted_at")
    assert len(votes) == 3 and sorted(h for _, h in votes) == [0, 1, 1]
    unsalted = hashlib.sha256(b"42:1000").hexdigest()
    for key, _ in votes:  # a salted hash, never the raw ids
        assert re.fullmatch(r"[0-9a-f]{64}", key) and key != unsalted
    stats = LogReader(log.path).stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert [(v.entry_id, v.helpful, v.not_helpful) for v in stats.votes] == [("cpt-code", 2, 1)]


def test_old_rows_are_purged_at_start_up(tmp_path: Path, matcher: Matcher):
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    old = QuestionLog(tmp_path, clock=lambda: long_ago)
    old.start()
    old.record("private", matcher.answer("what is a tpi"))
    old.vote(1, 2, "what-is-tpi", helpful=True)
    old.close()
    fresh = QuestionLog(tmp_path, retention_days=90)
    fresh.start()
    fresh.record("private", matcher.answer("20553"))
    fresh.close()
    assert rows(tmp_path, "SELECT entry_id FROM questions") == [("cpt-code",)]
    assert rows(tmp_path, "SELECT COUNT(*) FROM votes") == [(0,)]


def test_stats_and_unanswered(log: QuestionLog, matcher: Matcher):
    for question in ["20553", "20552", "what is a tpi", "hello"]:
        log.record("private", matcher.answer(question))
    for question in [
        "cpt for knee replacement",
        "CPT for a knee replacement?",
        "knee replacement cpt code",
        "covid shot",
    ]:
        log.record("private", matcher.answer(question))
    assert log.flush()
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    stats = LogReader(log.path).stats(since)
    assert stats.total == 8 and stats.by_status["answer"] == 3 and stats.by_status["none"] == 4
    assert stats.top_entries[0] == ("cpt-code", 2)
    groups = LogReader(log.path).unanswered(since)
    assert (groups[0].count, groups[0].wordings) == (3, 3)
    assert "knee" in groups[0].question and groups[1].question == "covid shot"


def test_grouping_is_deterministic():
    wordings = [("dx code for sciatica", 2), ("sciatica dx code", 2), ("botox cost", 1)]
    assert group_similar(wordings) == group_similar(list(reversed(wordings)))


def test_an_unwritable_data_dir_logs_one_error_and_loses_nothing_else(
    tmp_path: Path, matcher: Matcher, caplog
):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    log = QuestionLog(blocker)
    with caplog.at_level(logging.ERROR, logger="bot.questionlog"):
        log.start()
        for _ in range(5):
            log.record("private", matcher.answer("what is a tpi"))
        assert log.flush()
        log.close()
    errors = [r for r in caplog.records if r.name == "bot.questionlog"]
    assert len(errors) == 1 and "answers go on" in errors[0].getMessage()


def test_a_corrupt_database_file_is_reported_not_raised(tmp_path: Path, matcher: Matcher, caplog):
    (tmp_path / DATABASE_NAME).write_bytes(b"this is not a database" * 100)
    log = QuestionLog(tmp_path)
    with caplog.at_level(logging.ERROR, logger="bot.questionlog"):
        log.start()
        log.record("private", matcher.answer("what is a tpi"))
        assert log.flush()
        log.close()
    assert any("cannot open" in r.getMessage() for r in caplog.records)


CRASHING_WRITER = """
import os, sys
sys.path.insert(0, sys.argv[2])
from bot.knowledge import load_knowledge
from bot.matching import Matcher
from bot.questionlog import QuestionLog
log = QuestionLog(sys.argv[1])
log.start()
result = Matcher(load_knowledge()).answer("what is a tpi")
for _ in range(200):
    log.record("private", result)
log.flush()
os._exit(1)  # a crash: no close, no clean shutdown
"""


def test_committed_rows_survive_a_crash(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(tmp_path), str(ROOT)], timeout=60
    )
    assert done.returncode == 1
    assert rows(tmp_path, "SELECT COUNT(*) FROM questions") == [(200,)]
    after = QuestionLog(tmp_path)
    after.start()
    after.close()
    assert LogReader(after.path).count() == 200


def test_rows_are_purged_daily_while_running(tmp_path: Path, matcher: Matcher):
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    log = QuestionLog(tmp_path, retention_days=1, clock=lambda: now[0])
    log.start()
    log.record("private", matcher.answer("what is a tpi"))
    assert log.flush()
    now[0] += dt.timedelta(days=2)  # a day passes with the bot running
    log.record("private", matcher.answer("20553"))
    assert log.flush()
    log.close()
    assert rows(tmp_path, "SELECT entry_id FROM questions") == [("cpt-code",)]


def test_a_locked_database_is_reported_once_and_nothing_raises(
    tmp_path: Path, matcher: Matcher, caplog, monkeypatch
):
    from bot import questionlog

    monkeypatch.setattr(questionlog, "BUSY_TIMEOUT_MS", 100)
    log = QuestionLog(tmp_path)
    log.start()
    log.record("private", matcher.answer("20553"))
    assert log.flush()
    holder = sqlite3.connect(tmp_path / DATABASE_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        with caplog.at_level(logging.ERROR, logger="bot.questionlog"):
            for _ in range(3):
                log.record("private", matcher.answer("what is a tpi"))
            assert log.flush()
    finally:
        holder.rollback()
        holder.close()
    log.close()
    errors = [r.getMessage() for r in caplog.records if r.name == "bot.questionlog"]
    assert len(errors) == 1 and "locked" in errors[0] and "answers go on" in errors[0]


def test_the_log_is_private_to_its_owner_and_any_directory_name_works(
    tmp_path: Path, matcher: Matcher
):
    data = tmp_path / "clinic #2 data"
    log = QuestionLog(data)
    log.start()
    log.record("private", matcher.answer("what is a tpi"))
    assert log.flush()
    assert (data / DATABASE_NAME).stat().st_mode & 0o777 == 0o600
    assert (data / f"{DATABASE_NAME}-wal").stat().st_mode & 0o777 == 0o600
    assert data.stat().st_mode & 0o077 == 0  # no group or other access
    assert (
        LogReader(log.path).count() == 1
    )  # the read-only reader opens it despite "#" and the space
    log.close()


def test_a_stalled_writer_drops_and_counts_instead_of_growing(
    tmp_path: Path, matcher: Matcher, caplog
):
    log = QuestionLog(tmp_path, max_queued=5)  # not started: nothing is written
    result = matcher.answer("what is a tpi")
    with caplog.at_level(logging.WARNING):
        for _ in range(8):
            log.record("private", result)
        log.vote(1, 2, "cpt-code", helpful=True)
    assert log.dropped == 4
    assert sum("the disk is not keeping up" in r.getMessage() for r in caplog.records) == 1
    log.start()
    assert log.flush()
    log.close()
    assert rows(tmp_path, "SELECT COUNT(*) FROM questions") == [(5,)]


@pytest.mark.slow  # loads the ICD-10-CM code set
def test_code_set_answers_are_logged_with_the_codes_asked(log: QuestionLog, matcher: Matcher):
    for question in ["is M79.1 billable?", "M79.1 for a tpi", "M79.18 and M79.7 for tpi"]:
        log.record("private", matcher.answer(question))
    assert log.flush()
    stats = LogReader(log.path).stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert stats.top_entries == [("icd10:M79.1", 2), ("icd10:M79.18,M79.7", 1)]
