"""The typed bot data and the narrowing helper the handlers share."""

from __future__ import annotations

import pytest

from bot.handlers.common import expect
from bot.handlers.context import BotData
from bot.matching import Matcher
from tests.handlers.conftest import Harness


def test_expect_passes_values_through_and_names_what_is_missing():
    assert expect(0, "number") == 0
    with pytest.raises(TypeError, match="the update has no callback query"):
        expect(None, "callback query")


async def test_services_live_on_typed_bot_data(harness: Harness, matcher: Matcher):
    bot_data = harness.application.bot_data
    assert isinstance(bot_data, BotData)
    assert bot_data.matcher is matcher
    assert bot_data.settings.token == "123456:TESTtoken-for-handlers"
    assert bot_data.question_log is None
