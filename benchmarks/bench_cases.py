"""What counting described cases costs per question.

Usage: python benchmarks/bench_cases.py [--rounds 5]

Measured in one run, on the same questions: the median and p99 time of ``Matcher.answer``
with the case coder (the shipped knowledge) against the same matcher without it (the
knowledge base with no muscle data, so the coder never answers), for the described cases of
``tests/data/cases.yaml`` and for the dev set's other questions; and the case coder alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cases import CaseCoder  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.matching import Matcher  # noqa: E402


def timings(
    function: Callable[[str], object], questions: Sequence[str], rounds: int
) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            function(question)
            times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{label:<44} median {statistics.median(ordered) * 1e3:7.3f} ms   p99 {p99 * 1e3:7.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    knowledge = load_knowledge()
    without = dataclasses.replace(knowledge, muscle_terms=())
    with_cases, baseline = Matcher(knowledge), Matcher(without)
    data = ROOT / "tests" / "data"
    cases = [c["q"] for c in yaml.safe_load((data / "cases.yaml").read_text("utf-8"))["cases"]]
    dev = yaml.safe_load((data / "dev_questions.yaml").read_text("utf-8"))["questions"]
    others = [str(q["q"]) for q in dev]
    coder = CaseCoder(knowledge)
    print(f"{len(cases)} case questions, {len(others)} dev questions, {rounds} rounds")
    for label, questions in (("cases", cases), ("dev set", others)):
        print(
            line(
                f"{label}: Matcher.answer without case coder",
                timings(baseline.answer, questions, rounds),
            )
        )
        print(
            line(
                f"{label}: Matcher.answer with case coder",
                timings(with_cases.answer, questions, rounds),
            )
        )
        print(line(f"{label}: CaseCoder.answer alone", timings(coder.answer, questions, rounds)))


if __name__ == "__main__":
    main()
