"""Start-up, /reload and peak memory of the running bot at 1,000 to 100,000 entries.

Usage: python benchmarks/bench_startup.py [--sizes 1000,10000,100000] [--baseline REV]
       [--timeout 300] [--restarts 3]

For each size a synthetic knowledge directory is written (benchmarks/synthetic_knowledge.py)
and ``run_bot.py`` runs against the fake Bot API of the tests (tests/fakes.py), once from a
copy of this checkout's code (without its bytecode) and once from ``--baseline`` (a git
revision, extracted with ``git archive``; default: the code before issue 10) in the same
run. Per run it prints:

- start-up: seconds from launch to the first ``getUpdates`` (loading, validating,
  compiling, start-up calls) with an empty DATA_DIR, and ``again``: the median of
  ``--restarts`` restarts on the same files (default 3; the code then starts from its
  knowledge cache: the validated knowledge and its compiled index). Bytecode is written
  at the first start and read at the next, as for an installed bot, even where the
  shell sets PYTHONDONTWRITEBYTECODE;
- reload: seconds from an admin's ``/reload`` after a one-line edit of one file (so no
  cache serves it) to its reply, and the slowest answer to another chat asked every half
  second meanwhile;
- peak: the restarted process's peak resident memory (VmHWM), the reload included;
- check: seconds of ``run_bot.py check`` on the directory (sizes up to 10,000).

A run that exceeds ``--timeout`` is shown as ``>N``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic_knowledge import write_knowledge  # noqa: E402
from tests.fakes import FakeBotApi, message  # noqa: E402

TOKEN = "123456:BENCH-startup-token"
ADMIN, ASKER = 42, 43
BASELINE = "da90e01"  # main before issue 10 (fairness, start-up at scale)
CHECK_UP_TO = 10_000


@dataclass
class Run:
    start_up: float | None = None
    warm_start_up: float | None = None
    reload: float | None = None
    slowest_answer: float | None = None
    peak_mib: float | None = None
    check: float | None = None


def extract(revision: str, into: Path) -> Path:
    """The tree of ``revision`` (git archive), to run the baseline beside this checkout."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def working_copy(into: Path) -> Path:
    """This checkout's code as it is (uncommitted changes too), without its bytecode: both
    codes then start from source, as the extracted baseline does."""
    shutil.copytree(ROOT / "bot", into / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "run_bot.py", into / "run_bot.py")
    return into


def peak_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def answers_to(api: FakeBotApi, chat_id: int) -> int:
    return sum(1 for call in api.calls_to("sendMessage") if int(call["chat_id"]) == chat_id)


def run_bot(code: Path, knowledge: Path, work: Path, timeout: float, restarts: int) -> Run:
    """Start the bot, then restart it ``restarts`` times (each restart finds what the first
    start cached; the median is kept, as this machine is noisy), and in the last restart
    time a /reload after an edit, with questions from another chat meanwhile."""
    result = Run()
    result.start_up = start_and_stop(code, knowledge, work, timeout, None)
    if result.start_up is None:
        return result
    again = [start_and_stop(code, knowledge, work, timeout, None) for _ in range(restarts - 1)]
    again.append(start_and_stop(code, knowledge, work, timeout, result))
    if None not in again:
        result.warm_start_up = statistics.median(t for t in again if t is not None)
    return result


def start_and_stop(
    code: Path, knowledge: Path, work: Path, timeout: float, reload_into: Run | None
) -> float | None:
    """Seconds from launch to the first getUpdates; with ``reload_into``, also a reload."""
    with FakeBotApi(TOKEN) as api:
        # As an installed bot: bytecode is written on the first start and read on the next
        # (some shells set PYTHONDONTWRITEBYTECODE, which makes every start compile).
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("TELEGRAM_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            KNOWLEDGE_DIR=str(knowledge),
            ADMIN_USER_IDS=str(ADMIN),
            DATA_DIR=str(work / "data"),
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(code),
        )
        started = time.monotonic()
        bot = subprocess.Popen(
            [sys.executable, str(code / "run_bot.py")],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            if not api.wait_for(lambda: bool(api.calls_to("getUpdates")), timeout):
                return None
            start_up = time.monotonic() - started
            if reload_into is not None:
                reload_while_asking(api, knowledge, timeout, reload_into)
                reload_into.peak_mib = peak_mib(bot.pid)
            return start_up
        finally:
            bot.terminate()
            try:
                bot.wait(30)
            except subprocess.TimeoutExpired:
                bot.kill()
                bot.wait()


def reload_while_asking(api: FakeBotApi, knowledge: Path, timeout: float, into: Run) -> None:
    edited = sorted(knowledge.glob("entries*.yaml"))[-1]  # an edit: the cache cannot serve
    with edited.open("a", encoding="utf-8") as file:
        file.write(f"# edited {time.time()}\n")
    asked_reload = time.monotonic()
    api.push({"message": message("/reload", chat_id=ADMIN)})
    slowest = 0.0
    asked = 0
    while not answers_to(api, ADMIN) and time.monotonic() - asked_reload < timeout:
        time.sleep(0.5)
        asked += 1
        sent = time.monotonic()
        api.push({"message": message("20560", message_id=asked, chat_id=ASKER)})
        api.wait_for(lambda n=asked: answers_to(api, ASKER) >= n, timeout)
        slowest = max(slowest, time.monotonic() - sent)
    if answers_to(api, ADMIN):
        into.reload = _reload_seconds(api, asked_reload)
        into.slowest_answer = slowest


def _reload_seconds(api: FakeBotApi, asked: float) -> float:
    calls = zip(api.calls_to("sendMessage"), api.times_of("sendMessage"), strict=True)
    return next(t for call, t in calls if int(call["chat_id"]) == ADMIN) - asked


def check_seconds(code: Path, knowledge: Path, timeout: float) -> float | None:
    started = time.monotonic()
    try:
        subprocess.run(
            [sys.executable, str(code / "run_bot.py"), "check", str(knowledge)],
            env={**os.environ, "PYTHONPATH": str(code)},
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return time.monotonic() - started


def shown(value: float | None, timeout: float, digits: int = 1) -> str:
    return f">{timeout:.0f}" if value is None else f"{value:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per step")
    parser.add_argument(
        "--restarts", type=int, default=3, help="restarts per size; 'again' is their median"
    )
    parser.add_argument(
        "--baseline-up-to", type=int, default=10**9, help="run the baseline up to this size"
    )
    args = parser.parse_args()
    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(
        f"{'code':<10} {'entries':>8} {'start-up s':>11} {'again s':>8} {'reload s':>9}"
        f" {'slowest answer s':>17} {'peak MiB':>9} {'check s':>8}"
    )
    with tempfile.TemporaryDirectory() as temporary:
        base = extract(args.baseline, Path(temporary) / "baseline")
        this = working_copy(Path(temporary) / "this")
        for size in (int(s) for s in args.sizes.split(",") if s):
            knowledge = write_knowledge(Path(temporary) / f"knowledge-{size}", size)
            baseline_too = size <= args.baseline_up_to
            for name, code in ((args.baseline, base), ("this", this))[0 if baseline_too else 1 :]:
                work = Path(tempfile.mkdtemp(dir=temporary))
                run = run_bot(code, knowledge, work, args.timeout, max(1, args.restarts))
                if size <= CHECK_UP_TO:
                    run.check = check_seconds(code, knowledge, args.timeout)
                check = shown(run.check, args.timeout) if size <= CHECK_UP_TO else "-"
                print(
                    f"{name:<10} {size:>8,} {shown(run.start_up, args.timeout):>11}"
                    f" {shown(run.warm_start_up, args.timeout, 2):>8}"
                    f" {shown(run.reload, args.timeout):>9}"
                    f" {shown(run.slowest_answer, args.timeout, 2):>17}"
                    f" {shown(run.peak_mib, args.timeout, 0):>9} {check:>8}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
