"""/reload of a large knowledge base while other chats keep asking, end to end."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from benchmarks.synthetic_knowledge import write_knowledge
from bot.knowledge import load_knowledge
from tests.conftest import ROOT
from tests.e2e.conftest import running_bot
from tests.fakes import FakeBotApi, message

ADMIN, ASKER = 42, 43
SIZE = 10_000


def texts_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [c["text"] for c in api.calls_to("sendMessage") if int(c["chat_id"]) == chat_id]


@pytest.mark.slow
def test_a_question_during_a_10000_entry_reload_is_answered_within_a_second(
    api: FakeBotApi, tmp_path: Path
):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    env = {"KNOWLEDGE_DIR": str(knowledge), "ADMIN_USER_IDS": str(ADMIN), "LOG_LEVEL": "INFO"}
    with running_bot(api, tmp_path, **env) as bot:
        api.wait_for_call("getUpdates", timeout=20)
        write_knowledge(knowledge, SIZE)
        api.push({"message": message("/reload", message_id=1, chat_id=ADMIN)})
        delays = []
        for n in range(1, 4):  # while the reload reads and compiles
            time.sleep(0.5)
            asked = time.monotonic()
            api.push({"message": message("dry needling code", message_id=n, chat_id=ASKER)})
            api.wait_for(lambda n=n: len(texts_to(api, ASKER)) >= n, timeout=10)
            delays.append(time.monotonic() - asked)
            assert not texts_to(api, ADMIN), "the reload ended before the question: too small"
        api.wait_for(lambda: bool(texts_to(api, ADMIN)), timeout=300)
        [done] = texts_to(api, ADMIN)
        api.push({"message": message("dry needling code", message_id=9, chat_id=ASKER)})
        api.wait_for(lambda: len(texts_to(api, ASKER)) == 4, timeout=10)
        code, _ = bot.stop()
    assert code == 0, bot.output
    shipped = len(load_knowledge(ROOT / "knowledge").entries)
    assert done.startswith(f"Reloaded {SIZE + shipped} entries"), done
    print(f"answer delays during the reload: {delays}")
    assert max(delays) < 1.0, delays
    assert all("20560" in answer for answer in texts_to(api, ASKER))
