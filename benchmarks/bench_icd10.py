"""What the ICD-10-CM code set costs: first load, memory, answer and check time.

Usage: python benchmarks/bench_icd10.py [--queries 200]

Measured in one run, each next to a baseline: loading the code set (simple-icd-10-cm parses
the CMS tabular on import) against loading the knowledge base and compiling the matcher;
the resident memory each adds; the median and p99 time of ``Matcher.answer`` for code
questions (answered from the code set) against entry questions; and the code check of
``run_bot.py check`` against the rest of ``check``'s knowledge warnings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_matching import rss_mib, timings_ms  # noqa: E402

from bot import icd10  # noqa: E402
from bot.checks import knowledge_warnings  # noqa: E402
from bot.icd10_check import check_codes  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.matching import Matcher  # noqa: E402

CODE_QUESTIONS = (
    "is M79.1 billable?",
    "what is G44.209?",
    "can I bill M54.50 with 20553 for Medicare?",
    "M79.18 and M79.7 together for a tpi?",
    "is M79.19 billable",
)
ENTRY_QUESTIONS = (
    "which cpt code for tpi in 3 muscles",
    "can I bill 20552 twice",
    "does medicare pay for ultrasound guidance of a tpi",
    "what does a trigger point feel like",
    "dry needling code",
)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200, help="questions per kind")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")

    start_rss = rss_mib()
    seconds, knowledge = timed(lambda: load_knowledge(ROOT / "knowledge"))
    matcher_seconds, matcher = timed(lambda: Matcher(knowledge))
    matcher_rss = rss_mib()
    print(
        f"baseline: knowledge + matcher {1000 * (seconds + matcher_seconds):.0f} ms,"
        f" +{matcher_rss - start_rss:.0f} MiB"
    )
    seconds, codes = timed(icd10.code_set)
    print(
        f"code set: first load {1000 * seconds:.0f} ms, +{rss_mib() - matcher_rss:.0f} MiB"
        f" ({codes.version_line})"
    )
    seconds, _ = timed(icd10.code_set)
    print(f"code set: later calls {1e6 * seconds:.1f} us (loaded once)")

    assert isinstance(matcher, Matcher)
    repeat = max(1, args.queries // len(CODE_QUESTIONS))
    for label, questions in (
        ("code questions", CODE_QUESTIONS),
        ("entry questions", ENTRY_QUESTIONS),
    ):
        median, p99 = timings_ms(matcher.answer, questions * repeat)
        print(f"answer, {label:<15}: median {median:.2f} ms, p99 {p99:.2f} ms")

    directory = ROOT / "knowledge"
    seconds, problems = timed(lambda: check_codes(directory, codes))
    warn_seconds, _ = timed(lambda: knowledge_warnings(matcher, dt.date.today()))
    print(
        f"check: ICD-10-CM codes {1000 * seconds:.0f} ms ({len(problems)} problem(s));"
        f" baseline, the other knowledge warnings {1000 * warn_seconds:.0f} ms"
    )


if __name__ == "__main__":
    main()
