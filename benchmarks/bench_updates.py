"""Updates per second through the whole Telegram handler path, in one process.

Usage: python benchmarks/bench_updates.py [--updates 3000] [--rounds 5]

Each update goes Update -> handler -> matcher -> rendered HTML -> sendMessage on an
in-process recording request (no network, no rate limiter: Telegram's own cap of about 30
messages/s is what the rate limiter enforces in production). The baseline, measured in the
same run, is a bare python-telegram-bot application whose only handler echoes the text:
the library's own cost per update. A third column runs our path with the SQLite question
log on, to show what recording every question costs. Rounds are interleaved and the median
rate of each is printed, because this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.evaluation import load_dev_set  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.logreader import LogReader  # noqa: E402
from bot.matching import Matcher  # noqa: E402
from bot.questionlog import QuestionLog  # noqa: E402
from tests.fakes import RecordingRequest, message  # noqa: E402

TOKEN = "123456:BENCHMARK"


async def echo(update: Update, _context: object) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def baseline_application() -> Application:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(RecordingRequest())
        .get_updates_request(RecordingRequest())
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


def updates(questions: list[str], count: int, *, group: bool) -> list[dict]:
    payloads = []
    for n in range(count):
        question = questions[n % len(questions)]
        if group:
            text = f"/ask@tpi_faq_bot {question}"
            payload = message(text, message_id=n + 1, chat_type="supergroup")
        else:
            payload = message(question, message_id=n + 1)
        payloads.append({"update_id": n + 1, "message": payload})
    return payloads


async def rate(application: Application, payloads: list[dict]) -> tuple[float, int]:
    async with application:
        request = application.bot.request
        parsed = [Update.de_json(p, application.bot) for p in payloads[:200]]
        for update in parsed:  # warm-up
            await application.process_update(update)
        parsed = [Update.de_json(p, application.bot) for p in payloads]
        sent_before = len(request.sent())
        start = time.perf_counter()
        for update in parsed:
            await application.process_update(update)
        seconds = time.perf_counter() - start
        return len(parsed) / seconds, len(request.sent()) - sent_before


async def our_rate(
    settings, matcher: Matcher, payloads: list[dict], log: QuestionLog | None
) -> tuple[float, int]:
    application = build_application(
        settings,
        matcher,
        request=RecordingRequest(),
        get_updates_request=RecordingRequest(),
        rate_limited=False,
        question_log=log,
    )
    return await rate(application, payloads)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    matcher = Matcher(load_knowledge(ROOT / "knowledge"))
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    cases, _ = load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml")
    questions = [case.question for case in cases if case.expect != "smalltalk"]
    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(
        f"{'chat':<9} {'ours upd/s':>11} {'+ question log':>15} {'log cost':>9}"
        f" {'baseline upd/s':>15} {'sendMessage':>12}"
    )
    with tempfile.TemporaryDirectory() as data_dir:
        log = QuestionLog(Path(data_dir))
        log.start()
        for group in (False, True):
            payloads = updates(questions, args.updates, group=group)
            plain, logged, bare = [], [], []
            for _ in range(args.rounds):
                rate_without, sent = await our_rate(settings, matcher, payloads, None)
                plain.append(rate_without)
                logged.append((await our_rate(settings, matcher, payloads, log))[0])
                bare.append((await rate(baseline_application(), payloads))[0])
            ours, with_log = statistics.median(plain), statistics.median(logged)
            cost = (ours - with_log) / ours
            name = "group" if group else "private"
            print(
                f"{name:<9} {ours:>11,.0f} {with_log:>15,.0f} {cost:>9.1%}"
                f" {statistics.median(bare):>15,.0f} {sent:>12,}"
            )
        log.flush(60)
        log.close()
        print(f"question log rows written: {LogReader(log.path).count():,}")


if __name__ == "__main__":
    asyncio.run(main())
