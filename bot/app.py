"""Build and run the Telegram application on top of the matching core."""

from __future__ import annotations

import logging
import os

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from bot.config import TOKEN_VARIABLE, Settings
from bot.handlers import register
from bot.handlers.common import MATCHER_KEY
from bot.matching import Matcher

logger = logging.getLogger(__name__)

# Opt in to PTB 23's timedelta values now; otherwise its own AIORateLimiter emits a
# deprecation warning on every 429 it retries.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Exactly the update types the handlers use; edited messages are not answered twice.
ALLOWED_UPDATES = [Update.MESSAGE, Update.INLINE_QUERY, Update.CALLBACK_QUERY]

PRIVATE_COMMANDS = [
    BotCommand("ask", "Ask a question"),
    BotCommand("topics", "Browse questions by topic"),
    BotCommand("help", "What I can answer and how"),
    BotCommand("start", "Welcome"),
]
GROUP_COMMANDS = [
    BotCommand("ask", "Ask a question, e.g. /ask code for 3 muscles"),
    BotCommand("topics", "Browse questions by topic"),
    BotCommand("help", "How to use me here"),
]


async def set_commands(application: Application) -> None:
    """Publish the command menu; groups only see what works there."""
    bot = application.bot
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())


def build_application(
    settings: Settings,
    matcher: Matcher,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limited: bool = True,
) -> Application:
    """The application with every handler; tests and benchmarks pass their own requests.

    ``rate_limited=False`` drops the AIORateLimiter, for benchmarks that measure the
    handler path rather than Telegram's 30 messages/s.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token or "")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(set_commands)
    )
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data[MATCHER_KEY] = matcher
    register(application)
    return application


def _without_token_traceback(record: logging.LogRecord) -> bool:
    """A rejected token is a configuration error: our own log line says what to fix."""
    if record.exc_info and isinstance(record.exc_info[1], InvalidToken):
        record.exc_info = None
        record.exc_text = None
    return True


def run(settings: Settings, matcher: Matcher) -> int:
    """Run until SIGINT/SIGTERM; polling, or a webhook when WEBHOOK_URL is set."""
    logging.getLogger("telegram.ext").addFilter(_without_token_traceback)
    application = build_application(settings, matcher)
    try:
        if settings.webhook is not None:
            hook = settings.webhook
            logger.info("webhook mode: listening on %s:%s%s", hook.listen, hook.port, hook.path)
            application.run_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=hook.path.lstrip("/"),
                webhook_url=hook.url,
                secret_token=hook.secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=-1,
            )
        else:
            logger.info("polling mode: %d entries loaded", len(matcher.knowledge.entries))
            application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
    except InvalidToken:
        logger.error("Telegram rejected the bot token; check %s", TOKEN_VARIABLE)
        return 2
    except TelegramError as error:
        logger.error("the bot stopped: %s", type(error).__name__)
        return 1
    logger.info("stopped")
    return 0
