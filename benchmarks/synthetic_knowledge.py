"""Synthetic knowledge directories of any size, for start-up and reload benchmarks and tests.

``write_knowledge(directory, size)`` copies the shipped synonyms and small talk, writes plain
topics (the shipped ids and titles only, so that older code, a benchmark's baseline, reads
them too) and adds ``size`` entries in files of 1,000: a question, 7 alternates, 3
keywords, a 30-word answer and a source each, from a 20,000-word made-up vocabulary (as in
bench_matching.py).
Every entry passes the loader's validation.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "knowledge"
SUPPORT_FILES = ("synonyms.yaml", "smalltalk.yaml")
TOPICS = ("coding", "coverage", "drugs", "procedure", "symptoms", "diagnosis", "treatment")
PER_FILE = 1000


def write_knowledge(directory: Path, size: int, seed: int = 20553) -> Path:
    """Fill ``directory`` with the shipped support files and ``size`` synthetic entries."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for name in SUPPORT_FILES:
        shutil.copy(SHIPPED / name, directory / name)
    shipped = yaml.safe_load((SHIPPED / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    plain = [{"id": topic["id"], "title": topic["title"]} for topic in shipped]
    (directory / "topics.yaml").write_text(yaml.safe_dump({"topics": plain}), encoding="utf-8")
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(20_000)]

    def sentence() -> str:
        return " ".join(rng.choices(words, k=rng.randint(4, 9))) + "?"

    for first in range(0, size, PER_FILE):
        lines = ["entries:"]
        for n in range(first, min(size, first + PER_FILE)):
            lines += [
                f"  - id: e{n}",
                f"    topic: {TOPICS[n % len(TOPICS)]}",
                "    reviewed: 2026-11-01",
                f"    question: {sentence()}",
                "    alternates:",
                *(f"      - {sentence()}" for _ in range(7)),
                f"    keywords: [{', '.join(rng.choices(words, k=3))}]",
                f"    answer: {' '.join(rng.choices(words, k=30))}.",
                "    sources:",
                "      - name: Synthetic source",
            ]
        (directory / f"entries{first // PER_FILE:04d}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return directory
