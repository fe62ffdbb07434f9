"""``run_bot.py teach "QUESTION" ENTRY_ID`` and ``run_bot.py teach --list [--days N]``."""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sqlite3
import sys
from pathlib import Path

from bot.config import Settings
from bot.logreader import LogReader, UnansweredGroup
from bot.matching import Matcher, Status
from bot.reports import parse_since
from bot.teach import BACKUP_DIR_NAME, EXIT_USAGE, TeachError, suggestions, teach

EXIT_OK, EXIT_FAILED = 0, 1
USAGE = 'usage: run_bot.py teach "QUESTION" ENTRY_ID   or   run_bot.py teach --list [--days N]'


def teach_command(
    args: argparse.Namespace, settings: Settings, matcher: Matcher, directory: Path
) -> int:
    if args.list:
        if args.question or args.entry_id:
            print(f"--list takes no question or entry.\n{USAGE}", file=sys.stderr)
            return EXIT_USAGE
        return list_unanswered(settings, matcher, args.days)
    if args.question is None or args.entry_id is None:
        print(USAGE, file=sys.stderr)
        return EXIT_USAGE
    try:
        taught = teach(
            directory,
            args.entry_id,
            args.question,
            thresholds=matcher.thresholds,
            backup_dir=backup_dir(settings),
        )
    except TeachError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    except OSError as error:
        print(f"Cannot write the knowledge file: {error}; nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    print(taught.describe())
    print("Send /reload to the running bot (or restart it) to answer it there.")
    return EXIT_OK


def backup_dir(settings: Settings) -> Path:
    """Backups of taught files: in the data directory, out of the knowledge's git tree."""
    return settings.data_dir / BACKUP_DIR_NAME


def still_unanswered(matcher: Matcher, groups: list[UnansweredGroup]) -> list[UnansweredGroup]:
    """Groups whose question the current knowledge does not answer (taught ones drop out)."""
    return [g for g in groups if matcher.answer(g.question).status is not Status.ANSWER]


def list_unanswered(settings: Settings, matcher: Matcher, days: int) -> int:
    if days < 0:
        print("--days must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    since = parse_since(str(days), dt.datetime.now(dt.UTC).date(), days)
    log = LogReader.in_directory(settings.data_dir)
    if not log.exists():
        print(f"No question log yet at {log.path}.")
        return EXIT_OK
    try:
        groups = still_unanswered(matcher, log.unanswered(since, top=50))
    except sqlite3.Error as error:
        print(f"Cannot read the question log {log.path}: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Unanswered questions since {since:%Y-%m-%d}, with the entries the matcher suggests:")
    if not groups:
        print("  (none)")
    for group in groups:
        print(f"  {group.summary()}")
        offered = suggestions(matcher, group.question)
        for entry_id, question, score in offered:
            command = f"run_bot.py teach {shlex.quote(group.question)} {entry_id}"
            print(f"      {command}    # {question} (score {score})")
        if not offered:
            print("      (no close entry: add a new entry, or teach it to one you choose)")
    return EXIT_OK
