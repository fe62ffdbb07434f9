"""Build and run the Telegram application on top of the matching core."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os

import httpx
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, ApplicationBuilder, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import TOKEN_VARIABLE, Settings
from bot.handlers import register
from bot.handlers.common import matcher_of, send_reply
from bot.handlers.context import CONTEXT_TYPES, BotApplication, BotApplicationBuilder, BotContext
from bot.handlers.digest import schedule_digest
from bot.matching import Matcher
from bot.questionlog import QuestionLog
from bot.replies import Reply, text
from bot.scheduling import FairUpdateProcessor

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
ADMIN_COMMANDS = [
    BotCommand("stats", "Admin: questions, top answers, feedback [days]"),
    BotCommand("unanswered", "Admin: questions I could not answer [days]"),
    BotCommand("reload", "Admin: re-read the knowledge files"),
]
FLOOD_NOTE = (
    "You're sending questions faster than I can answer. I'll answer the ones I already"
    " have; please ask the rest again in a minute."
)

GROUP_COMMANDS = [
    BotCommand("ask", "Ask a question, e.g. /ask code for 3 muscles"),
    BotCommand("topics", "Browse questions by topic"),
    BotCommand("help", "How to use me here"),
]


# Telegram allows about 30 messages a second overall. AIORateLimiter's default bucket
# (30 per 1 s) lets a full bucket of 30 go out on top of the 30/s rate, i.e. 60 within one
# second after a quiet spell; a bucket of one refilled every 1/30 s never exceeds 30/s.
OVERALL_MESSAGES_PER_SECOND = 30


def overall_rate_limiter() -> AIORateLimiter:
    """Telegram's flood limits, retrying a 429 up to 3 times after its retry_after."""
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / OVERALL_MESSAGES_PER_SECOND,
        max_retries=3,
    )


async def set_commands(application: BotApplication) -> None:
    """Publish the command menu; groups only see what works there."""
    bot = application.bot
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())
    settings = application.bot_data.settings
    for admin_id in sorted(settings.admin_user_ids):
        try:  # fails until the admin has started a chat with the bot
            scope = BotCommandScopeChat(admin_id)
            await bot.set_my_commands(PRIVATE_COMMANDS + ADMIN_COMMANDS, scope=scope)
        except TelegramError as error:
            logger.warning("admin %s: cannot set the admin command menu (%s)", admin_id, error)


# Waits between attempts to set the command menu while Telegram fails: doubling, capped.
COMMANDS_RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
# The job that prepares the matcher once the bot runs.
PREPARE_JOB = "prepare-matcher"


async def _retry_set_commands(application: BotApplication) -> None:
    for attempt in itertools.count(2):
        wait = COMMANDS_RETRY_SECONDS[min(attempt - 2, len(COMMANDS_RETRY_SECONDS) - 1)]
        await asyncio.sleep(wait)
        try:
            await set_commands(application)
        except TelegramError as error:
            logger.warning("command menu: attempt %d failed (%s); retrying", attempt, error)
        else:
            logger.info("command menu set (attempt %d)", attempt)
            return


async def start_services(application: BotApplication) -> None:
    """post_init: start the question log, publish the command menu.

    A failed menu never stops the bot: it is retried in the background with backoff while
    the bot already answers (a rejected token has stopped it before this, at getMe).
    """
    question_log = application.bot_data.question_log
    if question_log is not None:
        question_log.start()
    try:
        await set_commands(application)
    except TelegramError as error:
        logger.warning("command menu: attempt 1 failed (%s); retrying in the background", error)
        application.bot_data.commands_task = asyncio.create_task(
            _retry_set_commands(application), name="set-commands"
        )


async def prepare_matcher(context: BotContext) -> None:
    """A job run as soon as the bot runs: load what the first misspelt question would
    otherwise wait for (``Matcher.prepare``), in a worker thread, so no asker waits."""
    await asyncio.to_thread(matcher_of(context).prepare)


async def stop_retrying(application: BotApplication) -> None:
    """post_stop: give up on the menu before the connections close."""
    retrying, application.bot_data.commands_task = application.bot_data.commands_task, None
    if retrying is not None:
        retrying.cancel()


async def stop_services(application: BotApplication) -> None:
    """post_shutdown: write what the question log still holds, then stop it."""
    await stop_retrying(application)  # post_stop only runs if the application started
    question_log = application.bot_data.question_log
    if question_log is not None:
        await asyncio.to_thread(question_log.close)


def build_application(
    settings: Settings,
    matcher: Matcher,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limited: bool = True,
    question_log: QuestionLog | None = None,
) -> BotApplication:
    """The application with every handler; tests and benchmarks pass their own requests.

    ``rate_limited=False`` drops the AIORateLimiter, for benchmarks that measure the
    handler path rather than Telegram's 30 messages/s.
    """
    builder: BotApplicationBuilder = (
        ApplicationBuilder()
        .context_types(CONTEXT_TYPES)
        .token(settings.token or "")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(start_services)
        .post_stop(stop_retrying)
        .post_shutdown(stop_services)
        .concurrent_updates(
            FairUpdateProcessor(
                on_flood=lambda u: note_flood(application, u),
                handles=lambda u: takes(application, u),
            )
        )
    )
    if rate_limited:
        builder = builder.rate_limiter(overall_rate_limiter())
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if request is None or get_updates_request is None:
        # PTB's two default requests, sharing one TLS context: httpx builds one per client
        # otherwise, reading the certificate bundle each time (30 ms of start-up).
        tls = {"verify": httpx.create_ssl_context()}
        if request is None:
            request = HTTPXRequest(httpx_kwargs=tls)
        if get_updates_request is None:
            get_updates_request = HTTPXRequest(connection_pool_size=1, httpx_kwargs=tls)
    builder = builder.request(request).get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data.matcher = matcher
    application.bot_data.settings = settings
    application.bot_data.question_log = question_log
    register(application)
    schedule_digest(application)
    if application.job_queue is not None:
        # Due now, run whenever the job queue starts: APScheduler skips a job more than
        # its grace time (1 s) late, and start-up can take longer (getMe, retries).
        application.job_queue.run_once(
            prepare_matcher, 0, name=PREPARE_JOB, job_kwargs={"misfire_grace_time": None}
        )
    return application


def takes(application: BotApplication, update: object) -> bool:
    """Whether a handler of ``application`` takes ``update`` (a group's chatter: none),
    by the test ``Application.process_update`` applies."""
    checks = (
        handler.check_update(update)
        for handlers in application.handlers.values()
        for handler in handlers
    )
    return any(check is not None and check is not False for check in checks)


async def note_flood(application: BotApplication, update: Update) -> None:
    """Tell a flooding chat, once, that its excess questions are skipped."""
    if update.effective_message is None or update.callback_query is not None:
        return
    try:
        await send_reply(update.effective_message, Reply(text(FLOOD_NOTE)))
    except TelegramError as error:
        await application.process_error(update, error)


class _NetworkLogFilter(logging.Filter):
    """Adjusts python-telegram-bot's network-loop log for operators.

    PTB logs start-up retries at DEBUG only, so an unreachable Bot API would look like a
    silent hang: those lines are raised to WARNING. A rejected token is a configuration
    error that our own log line explains, so its traceback is dropped. So is that of a
    transport failure PTB logs itself (a timeout, a dropped connection: "Error while
    calling `get_updates` one more time" at shutdown on a busy machine): its type and text
    go on the line instead. Our own error handler's records and any other error keep
    their tracebacks. The filter changes the shared record, so every root handler gets it
    (``_watch_network_log``).
    """

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        retrying = record.name == "telegram.ext" and "Retrying" in str(record.msg)
        if record.levelno == logging.DEBUG and retrying:
            tries = record.args[1] if isinstance(record.args, tuple) else None
            attempt = tries + 1 if isinstance(tries, int) else "?"
            record.msg = "Telegram is not reachable (attempt %s); retrying with backoff"
            record.args = (attempt,)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("telegram") and _is_transport_failure(error):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a malformed call: logging reports it on emit
                return record.levelno >= self.level
            record.msg, record.args = f"{message} ({type(error).__name__}: {error})", None
            record.exc_info = record.exc_text = None
        if isinstance(error, InvalidToken):
            record.exc_info = record.exc_text = None
        return record.levelno >= self.level


def _is_transport_failure(error: BaseException | None) -> bool:
    """A timeout or an httpx transport error, as PTB raises them: not a bad request (PTB's
    BadRequest is a NetworkError too) nor the NetworkError PTB wraps an unknown exception
    in, whose tracebacks point at a mistake."""
    if isinstance(error, TimedOut):
        return True
    return type(error) is NetworkError and isinstance(error.__cause__, httpx.HTTPError)


def _watch_network_log(level: str) -> None:
    # The retry lines are DEBUG records of "telegram.ext"; let them be created and have the
    # handlers' filter decide, for this logger and the children that propagate through it.
    logging.getLogger("telegram.ext").setLevel(logging.DEBUG)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_NetworkLogFilter(logging.getLevelName(level)))


def run(settings: Settings, matcher: Matcher) -> int:
    """Run until SIGINT/SIGTERM; polling, or a webhook when WEBHOOK_URL is set."""
    _watch_network_log(settings.log_level)
    question_log = QuestionLog(
        settings.data_dir,
        keep_texts=settings.keep_question_texts,
        retention_days=settings.question_log_days,
    )
    application = build_application(settings, matcher, question_log=question_log)
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
