"""The command line: ``run`` (Telegram), ``console``, ``ask``, ``check`` and ``eval``.

``run_bot.py`` and the ``faq-bot`` console script both call :func:`main`. Exit codes: 0 on
success, 1 when the knowledge base (or an evaluation) fails, 2 for usage and configuration
errors such as a missing token.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from dotenv import load_dotenv

from bot import icd10
from bot.answering import answer
from bot.checks import OVERLAPS_UP_TO, knowledge_warnings, warnings_without_overlaps
from bot.config import TOKEN_VARIABLE, ConfigError, Settings, configure_logging, load_settings
from bot.console import Console
from bot.evaluation import (
    DevSetError,
    evaluate,
    marks_held_out,
    parse_dev_set,
    read_question_file,
)
from bot.icd10_check import check_code_texts, quoting_texts
from bot.knowledge import KnowledgeBase, KnowledgeError, Problem, Source, load_knowledge
from bot.knowledge_cache import load_matcher
from bot.logreader import LogReader
from bot.matching import Matcher, Result, Thresholds
from bot.replies import (
    render_plain,
)
from bot.reports import full_report, parse_since

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faq-bot",
        description="Trigger point injection FAQ bot: Telegram bot, console chat and tools.",
    )
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        type=Path,
        help="knowledge directory (default: $KNOWLEDGE_DIR or the shipped knowledge/)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the Telegram bot (needs a token); the default, except at a terminal"
        " without a token, where the console opens",
    )
    commands.add_parser("console", help="chat with the bot in this terminal")
    ask = commands.add_parser("ask", help="answer one question, or one per stdin line")
    ask.add_argument("question", nargs="?", help="the question (omit to read stdin)")
    ask.add_argument("--json", action="store_true", help="print JSON (JSON Lines for stdin)")
    check = commands.add_parser("check", help="validate a knowledge directory")
    check.add_argument("directory", nargs="?", type=Path, help="directory to check")
    check.add_argument(
        "--overlaps",
        action="store_true",
        help=f"warn about overlapping wordings beyond {OVERLAPS_UP_TO:,} entries too"
        " (slow: every wording is answered)",
    )
    report = commands.add_parser("report", help="usage report from the question log")
    report.add_argument("--days", type=int, default=7, help="look back N days (default 7)")
    teach = commands.add_parser(
        "teach", help="add a wording to an entry's alternates, or list what to teach"
    )
    teach.add_argument("question", nargs="?", help="the wording people used")
    teach.add_argument("entry_id", nargs="?", help="the entry that answers it")
    teach.add_argument(
        "--list", action="store_true", help="list unanswered questions with suggested entries"
    )
    teach.add_argument("--days", type=int, default=30, help="with --list: look back N days")
    evaluate_ = commands.add_parser("eval", help="score the matcher on a dev set")
    evaluate_.add_argument(
        "file", type=Path, help="dev set YAML, e.g. tests/data/dev_questions.yaml"
    )
    evaluate_.add_argument(
        "--show-held-out",
        action="store_true",
        help="list the misses of a held-out file too (they are not to be tuned on)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code. Ctrl-C and a closed pipe end quietly."""
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `run_bot.py ask < questions.txt | head`
        # Python would complain again when flushing stdout at exit; point it at devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _main(args: argparse.Namespace) -> int:
    load_dotenv(Path.cwd() / ".env", override=False)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    icd10.configure(settings.code_set)
    directory = getattr(args, "directory", None) or args.knowledge or settings.knowledge_dir
    command = args.command or _default_command(settings)
    if command == "run" and settings.token is None:
        print(
            f"{TOKEN_VARIABLE} is not set, so the Telegram bot cannot start.\n"
            f"Set it in the environment or in a .env file (see .env.example), or try the bot"
            f" locally with:  python run_bot.py console",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        # The bot starts from the cache when the files are unchanged; the tools read YAML.
        if command == "run":
            matcher = load_matcher(directory, settings.data_dir, settings.thresholds)
        else:
            knowledge = load_knowledge(directory)
    except KnowledgeError as error:
        print(f"The knowledge base in {directory} is invalid:\n{error}", file=sys.stderr)
        return EXIT_FAILED
    if command == "run":
        return run_telegram(dataclasses.replace(settings, knowledge_dir=Path(directory)), matcher)
    # These two need no matcher (check compiles one only for the overlap warnings).
    if command == "check":
        return check(knowledge, directory, settings.thresholds, overlaps=args.overlaps)
    if command == "report":
        return print_report(settings, knowledge, args.days)
    matcher = Matcher(knowledge, settings.thresholds)
    if command == "console":
        return Console(matcher, sys.stdin, sys.stdout).run(interactive=sys.stdin.isatty())
    if command == "ask":
        return ask(matcher, args.question, as_json=args.json)
    if command == "teach":
        from bot.teach_cli import teach_command  # late: bot.teach imports this module

        return teach_command(args, settings, matcher, Path(directory))
    return run_eval(matcher, args.file, show_held_out=args.show_held_out)


def _default_command(settings: Settings) -> str:
    """What ``run_bot.py`` without a command does: the console chat when there is no token
    and a person at a terminal (stdin and stdout both), saying so; otherwise the bot. A
    service or a background job without a token still fails and names the variable."""
    if settings.token is not None or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "run"
    print(
        f"{TOKEN_VARIABLE} is not set: chatting here in the terminal instead. Set it in the"
        " environment or in a .env file (see .env.example) to run the Telegram bot.",
        file=sys.stderr,
    )
    return "console"


def run_telegram(settings: Settings, matcher: Matcher) -> int:
    from bot.app import run  # imported late: the console and tools don't need Telegram

    configure_logging(settings)
    return run(settings, matcher)


def result_json(result: Result) -> dict[str, object]:
    """The JSON form of a result (see README, "Command line")."""
    entry = result.entry
    best = result.best
    icd10 = result.icd10
    safety = result.safety
    question, answer, sources = _answered(result)
    return {
        "input": result.query,
        "status": result.status.value,
        "id": entry.id if entry else None,
        "score": result.score,
        "question": question,
        "answer": answer,
        # Shown first in a private chat unless asked in billing words (README, "Entries").
        "patient_answer": entry.patient_answer if entry else None,
        "asks_billing": result.asks_billing,
        "sources": [{"name": s.name, "url": s.url} for s in sources],
        "suggestions": [
            {"id": c.entry.id, "question": c.entry.question, "score": c.score}
            for c in (result.candidates if result.status.value == "suggest" else ())
        ],
        "matched": best.matched if best else None,
        "reasons": list(best.reasons) if best else [],
        "unknown_codes": list(result.unknown_codes),
        "other_subjects": list(result.other_subjects),
        "unanswered_points": list(result.unanswered_points),
        # Not English (bot.language): the message was not read.
        "language": result.language,
        "icd10": icd10.as_json() if icd10 else None,
        "safety": {"id": safety.id, "related": list(safety.related)} if safety else None,
        "case": result.case.as_json() if result.case else None,
    }


def _answered(result: Result) -> tuple[str | None, str | None, tuple[Source, ...]]:
    """The question, answer text and sources a result shows (none for suggest and none)."""
    if result.case is not None:
        text = "\n\n".join((*result.case.paragraphs, result.case.entry.answer))
        return result.case.title, text, result.case.entry.sources
    if result.entry is not None:
        return result.entry.question, result.entry.answer, result.entry.sources
    if result.icd10 is not None:
        return result.icd10.title, "\n\n".join(result.icd10.paragraphs), result.icd10.sources
    if result.safety is not None:
        return None, result.safety.reply, ()
    return None, result.smalltalk.reply if result.smalltalk else None, ()


def _summary_line(result: Result) -> str:
    """``status, ids, score, question`` separated by tabs; ids only for answer/suggest."""
    shown = result.candidates if result.status.value in ("answer", "suggest") else ()
    ids = ",".join(c.entry.id for c in shown) or (result.safety.id if result.safety else "-")
    if result.icd10 is not None:
        ids = "icd10:" + ",".join(result.icd10.codes)
    return f"{result.status.value}\t{ids}\t{result.score}\t{result.query}"


def ask(matcher: Matcher, question: str | None, *, as_json: bool) -> int:
    if question is not None:
        answered = answer(matcher, question)
        if as_json:
            print(json.dumps(result_json(answered.result), ensure_ascii=False, indent=2))
        else:
            print(render_plain(answered.reply))
        return EXIT_OK
    out = sys.stdout
    for line in _lines(sys.stdin):
        result = matcher.answer(line)
        out.write(
            (
                json.dumps(result_json(result), ensure_ascii=False)
                if as_json
                else _summary_line(result)
            )
            + "\n"
        )
    out.flush()
    return EXIT_OK


def _lines(stream: TextIO) -> Iterable[str]:
    for line in stream:
        if line.strip():
            yield line.rstrip("\n")


def check(
    knowledge: KnowledgeBase, directory: Path, thresholds: Thresholds, *, overlaps: bool
) -> int:
    today = dt.datetime.now(dt.UTC).date()
    with_overlaps = overlaps or len(knowledge.entries) <= OVERLAPS_UP_TO
    if with_overlaps:
        warnings = knowledge_warnings(Matcher(knowledge, thresholds), today)
    else:
        warnings = warnings_without_overlaps(knowledge, today)
    for warning in warnings:
        print(f"warning: {warning}")
    problems = _code_problems(directory)
    if problems is None:
        return EXIT_USAGE
    if problems:
        print(f"The ICD-10-CM codes in {directory} are invalid:", file=sys.stderr)
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_FAILED
    print(
        f"OK: {directory} has {len(knowledge.entries)} entries in {len(knowledge.topics)}"
        f" topics; {len(warnings)} warning(s)."
    )
    if not with_overlaps:
        print(
            f"Not checked, as there are more than {OVERLAPS_UP_TO:,} entries: alternates and"
            f" keywords that match another entry better. For those warnings run"
            f" `python run_bot.py check --overlaps {directory}` (it answers every wording:"
            f" about half a minute for 10,000 entries)."
        )
    kinds = [term.kind for term in knowledge.muscle_terms]
    print(
        f"Case coding: {kinds.count('muscle')} muscles, {kinds.count('region')} regions and"
        f" {kinds.count('site')} non-muscle sites."
    )
    return EXIT_OK


def _code_problems(directory: Path) -> list[Problem] | None:
    """The ICD-10-CM problems of the knowledge in ``directory``; None if the code set that
    its quoted codes need cannot be read."""
    texts = quoting_texts(directory)
    if not texts:
        print("No ICD-10-CM codes are quoted, so none were checked.")
        return []
    try:
        codes = icd10.code_set()
    except icd10.CodeSetError as error:
        print(f"Cannot check the ICD-10-CM codes: {error}", file=sys.stderr)
        return None
    print(f"ICD-10-CM codes checked against the {codes.version_line}")
    return check_code_texts(texts, codes)


def print_report(settings: Settings, knowledge: KnowledgeBase, days: int) -> int:
    if days < 0:
        print("--days must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    today = dt.datetime.now(dt.UTC).date()
    since = parse_since(str(days), today, days)
    log = LogReader.in_directory(settings.data_dir)
    try:
        print(full_report(log, knowledge, since, today))
    except sqlite3.Error as error:
        print(f"Cannot read the question log {log.path}: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def run_eval(matcher: Matcher, path: Path, *, show_held_out: bool = False) -> int:
    try:
        # Read once: a pipe ("eval /dev/stdin < held_out.yaml") cannot be read twice, and
        # the mark must be seen in what is scored.
        text = read_question_file(path)
        cases, pairs = parse_dev_set(text, path)
        hidden = marks_held_out(text) and not show_held_out
    except DevSetError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    report = evaluate(matcher, cases, pairs)
    print(report.format(questions=not hidden))
    if hidden and report.misses():
        print(
            f"({path} is held out: scored to report, not read, so its questions are not"
            " shown; --show-held-out lists the misses)"
        )
    return EXIT_OK if report.passed else EXIT_FAILED
