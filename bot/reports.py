"""The usage report: shared by the admin commands and ``run_bot.py report``."""

from __future__ import annotations

import datetime as dt

from bot.knowledge import KnowledgeBase
from bot.logreader import LogReader, Stats, UnansweredGroup

STATUS_ORDER = ("answer", "suggest", "none", "smalltalk", "safety")


def stats_lines(stats: Stats) -> list[str]:
    lines = [f"Questions since {stats.since:%Y-%m-%d}: {stats.total}"]
    lines += [f"  {status}: {stats.by_status.get(status, 0)}" for status in STATUS_ORDER]
    lines.append("Most asked answers:")
    lines += [f"  {count} × {entry_id}" for entry_id, count in stats.top_entries] or ["  (none)"]
    lines.append("Feedback (helpful / not helpful):")
    lines += [f"  {v.entry_id}: {v.helpful} / {v.not_helpful}" for v in stats.votes] or [
        "  (none)"
    ]
    return lines


def unanswered_lines(groups: list[UnansweredGroup], since: dt.datetime) -> list[str]:
    lines = [f"Unanswered or unclear questions since {since:%Y-%m-%d} (count, wordings):"]
    lines += [f"  {g.summary()}" for g in groups] or ["  (none)"]
    return lines


def stale_lines(knowledge: KnowledgeBase, today: dt.date) -> list[str]:
    stale = knowledge.stale_entries(today)
    lines = ["Entries not reviewed in the last 12 months:"]
    lines += [f"  {e.id} (reviewed {e.reviewed:%Y-%m-%d})" for e in stale] or ["  (none)"]
    return lines


def parse_since(argument: str | None, today: dt.date, default_days: int) -> dt.datetime:
    """``30`` (days back) or ``2026-11-01``; raises ValueError with a usable message."""
    if not argument:
        day = today - dt.timedelta(days=default_days)
    elif argument.isdigit():
        day = today - dt.timedelta(days=int(argument))
    else:
        try:
            day = dt.date.fromisoformat(argument)
        except ValueError:
            raise ValueError(
                f"give a number of days or a date YYYY-MM-DD, not {argument!r}"
            ) from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def full_report(
    log: LogReader, knowledge: KnowledgeBase, since: dt.datetime, today: dt.date
) -> str:
    """Stats, unanswered questions and stale entries as plain text."""
    if not log.exists():
        return f"No question log yet at {log.path}."
    lines = stats_lines(log.stats(since))
    lines += ["", *unanswered_lines(log.unanswered(since), since)]
    lines += ["", *stale_lines(knowledge, today)]
    return "\n".join(lines)
