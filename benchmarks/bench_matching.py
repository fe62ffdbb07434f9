"""Per-question matching latency and memory, against a naive rapidfuzz baseline.

Usage: python benchmarks/bench_matching.py [--sizes 1000,10000,100000] [--queries 400]

For the shipped knowledge base and synthetic ones of each size it prints the median and
p99 time of ``Matcher.answer`` and of the baseline (``rapidfuzz.process.extractOne`` with
``fuzz.WRatio`` over all question texts), measured in the same run on the same questions,
plus the seconds to compile the matcher (build), then to ``prepare`` it, as the bot does
once it runs, before the questions are timed (the English word list and the typo indexes)
and the resident memory the compiled matcher adds (before ``prepare``). Finally it times
the batch command ``run_bot.py ask --json`` on 1,000 questions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_dev_set  # noqa: E402
from bot.knowledge import Entry, KnowledgeBase, Source, Topic, load_knowledge  # noqa: E402
from bot.knowledge.loader import SafeLoader  # noqa: E402
from bot.matching import Matcher  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timings_ms(function: Callable[[str], object], questions: Sequence[str]) -> tuple[float, float]:
    samples = []
    for question in questions:
        start = time.perf_counter_ns()
        function(question)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def synthetic_knowledge(size: int, rng: random.Random) -> KnowledgeBase:
    """``size`` entries of 8 question texts each, from a 20,000-word made-up vocabulary."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(20_000)]
    topics = tuple(Topic(f"t{n}", f"Topic {n}", (words[n],)) for n in range(20))

    def sentence() -> str:
        return " ".join(rng.choices(words, k=rng.randint(4, 9))) + "?"

    entries = tuple(
        Entry(
            id=f"e{n}",
            topic=f"t{n % 20}",
            question=sentence(),
            answer=" ".join(rng.choices(words, k=30)),
            sources=(Source("Synthetic"),),
            reviewed=dt.date(2026, 1, 1),
            alternates=tuple(sentence() for _ in range(7)),
            keywords=tuple(rng.choices(words, k=3)),
        )
        for n in range(size)
    )
    return KnowledgeBase(topics=topics, entries=entries)


def typo(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(2):
        position = rng.randrange(len(chars))
        chars[position] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def measure(name: str, knowledge: KnowledgeBase, questions: Sequence[str]) -> None:
    before = rss_mib()
    start = time.perf_counter()
    matcher = Matcher(knowledge)
    build_s = time.perf_counter() - start
    added = rss_mib() - before
    # As the bot does once it runs (a job in a worker thread), before anyone asks: else the
    # first misspelt words of the run pay for the English word list and the typo indexes.
    start = time.perf_counter()
    matcher.prepare()
    prepare_s = time.perf_counter() - start
    texts = [entry.question for entry in knowledge.entries]

    def baseline(question: str) -> object:
        return process.extractOne(question, texts, scorer=fuzz.WRatio)

    ours = timings_ms(matcher.answer, questions)
    naive = timings_ms(baseline, questions)
    print(
        f"{name:<22} {len(knowledge.entries):>7} {ours[0]:>9.3f} {ours[1]:>9.3f}"
        f" {naive[0]:>10.3f} {naive[1]:>10.3f} {build_s:>8.2f} {prepare_s:>9.2f} {added:>9.1f}"
    )


def input_lengths(matcher: Matcher, rng: random.Random) -> None:
    """Time per question as messages grow: matching reads a bounded prefix."""
    words = "billing code muscles injection pain covid knee twice units session".split()
    print(f"\n{'input chars':>12} {'med ms':>9} {'p99 ms':>9}")
    for length in (20, 200, 1000, 4096, 100_000):
        texts = []
        for _ in range(100):
            text = ""
            while len(text) < length:
                text += rng.choice(words) + " "
            texts.append(text[:length])
        median, p99 = timings_ms(matcher.answer, texts)
        print(f"{length:>12,} {median:>9.3f} {p99:>9.3f}")


def load_seconds(size: int) -> tuple[float, float, float]:
    """Loading a YAML knowledge base of ``size`` entries; parsing alone with our loader class
    and with yaml.safe_load as baselines."""
    with tempfile.TemporaryDirectory() as directory:
        shutil.copy(ROOT / "knowledge" / "topics.yaml", directory)
        lines = ["entries:"]
        for n in range(size):
            lines += [
                f"  - id: e{n}",
                "    topic: coding",
                "    reviewed: 2026-11-01",
                f"    question: Question number {n}?",
                "    alternates:",
                f"      - Another way to ask {n}",
                f"    keywords: [k{n}]",
                f"    answer: Answer {n}.",
                "    sources:",
                "      - name: Source",
            ]
        path = Path(directory) / "entries.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        start = time.perf_counter()
        load_knowledge(directory)
        ours = time.perf_counter() - start
        text = path.read_text(encoding="utf-8")
        start = time.perf_counter()
        yaml.load(text, Loader=SafeLoader)
        parse_only = time.perf_counter() - start
        start = time.perf_counter()
        yaml.safe_load(text)
        return ours, parse_only, time.perf_counter() - start


def batch_seconds(count: int) -> float:
    cases, _ = load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml")
    lines = "\n".join(cases[n % len(cases)].question for n in range(count)) + "\n"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "ask", "--json"],
        input=lines,
        text=True,
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - start


def _sizes(text: str) -> list[int]:
    """``--sizes``: whole numbers of entries, each at least 1."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("each size needs at least 1 entry")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default="1000,10000,100000",
        help="synthetic knowledge sizes, comma-separated ('' for the shipped one alone)",
    )
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(20552)
    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(
        f"{'knowledge base':<22} {'entries':>7} {'med ms':>9} {'p99 ms':>9}"
        f" {'base med':>10} {'base p99':>10} {'build s':>8} {'prepare s':>9} {'+RSS MiB':>9}"
    )
    cases, _ = load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml")
    questions = [case.question for case in cases]
    shipped = load_knowledge(ROOT / "knowledge")
    measure("shipped", shipped, (questions * 3)[: max(args.queries, 500)])
    for size in args.sizes:
        knowledge = synthetic_knowledge(size, rng)
        picks = [rng.choice(knowledge.entries) for _ in range(args.queries)]
        asked = [typo(rng.choice((e.question, *e.alternates)), rng) for e in picks]
        measure("synthetic", knowledge, asked)
        del knowledge
    prepared = Matcher(shipped)
    prepared.prepare()
    input_lengths(prepared, rng)
    ours, parse_only, safe_load = load_seconds(2000)
    print(
        f"\nload 2,000-entry YAML: {ours:.2f} s (parse alone with {SafeLoader.__name__}:"
        f" {parse_only:.2f} s; yaml.safe_load: {safe_load:.2f} s)"
    )
    seconds = batch_seconds(1000)
    print(f"\nbatch: run_bot.py ask --json, 1000 questions: {seconds:.2f} s wall, with start-up")


if __name__ == "__main__":
    main()
