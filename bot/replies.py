"""Turn matcher results into replies, rendered as plain text (console) or Telegram HTML.

A :class:`Reply` is paragraphs of text spans plus options (buttons in Telegram, numbered
choices in the console), so both front ends show the same content. HTML is escaped span
by span and long replies are split between paragraphs before rendering, so a split never
falls inside a tag.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot import callbackdata
from bot.callbackdata import TOPICS_DATA, Kind, faq_data, topic_data
from bot.case_answers import CaseAnswer
from bot.icd10_answers import CodeAnswer
from bot.knowledge import Entry, KnowledgeBase, Source, Topic
from bot.language import OTHER, SPANISH
from bot.matching import Result, Status
from bot.results import is_long_message
from bot.text import normalise, says_nothing

# Telegram's limit is 4096 characters after entity parsing, counted in UTF-16 units.
MESSAGE_LIMIT = 4096

DISCLAIMER = "This is general information, not medical or billing advice."
# An unanswered long message (results.is_long_message) is mostly a story around the
# question (staff describing a case), which the matcher reads less well than the question.
SHORTER_HINT = "It may help to ask just the question, in one short sentence."
# Suggestions after a long message: its story may have hidden the question.
LONG_SUGGEST_LEAD = (
    "Did you mean one of these? If none fits, ask just the question, in one short sentence."
)
NOTHING_ASKED = (
    'Ask me a question about trigger point injections, for example "Which CPT code for 3'
    ' muscles?", or use /topics to browse.'
)
# A message in another language (bot.language): said in it too where the bot can. Its
# words were not read, so an emergency in them could not be told: the 911 line is there.
ENGLISH_ONLY = {
    SPANISH: "Sorry, I can only read questions in English. (Lo siento, solo entiendo"
    " preguntas en inglés.) If this is an emergency, call 911 or your local emergency number."
    " (Si es una emergencia, llame al 911.)",
    OTHER: "Sorry, I can only read questions in English. If this is an emergency, call 911 or"
    " your local emergency number.",
}
FOR_STAFF = "For billing staff:"
GROUP_USAGE = (
    "In a group, ask me with /ask and your question, mention me with it, or reply to one of"
    " my messages; /ask or a mention in reply to a colleague's message asks me that."
)


@dataclass(frozen=True)
class Span:
    """A run of text, optionally bold or linked, or folded (Telegram shows its first lines
    and the rest on a tap)."""

    text: str
    bold: bool = False
    url: str | None = None
    folded: bool = False


Paragraph = tuple[Span, ...]


@dataclass(frozen=True)
class Option:
    """A choice offered with a reply; ``data`` is the callback data, e.g. ``faq:cpt-code``."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """What the bot says, independent of where it is shown."""

    paragraphs: tuple[Paragraph, ...]
    options: tuple[Option, ...] = ()
    # The answered entry, for "helpful / not helpful" buttons where a chat offers them.
    rated_entry: str | None = None
    # The question log row of the question answered, so that a vote names it.
    question_row: int | None = None


def text(*paragraphs: str) -> tuple[Paragraph, ...]:
    """Plain paragraphs."""
    return tuple((Span(p),) for p in paragraphs)


# --- building replies -----------------------------------------------------------------


def source_paragraph(sources: Iterable[Source]) -> Paragraph:
    """``Source: A; B`` with each name linked where a URL is known."""
    sources = list(sources)
    spans: list[Span] = [Span("Sources: " if len(sources) > 1 else "Source: ")]
    for index, source in enumerate(sources):
        if index:
            spans.append(Span("; "))
        spans.append(Span(source.name, url=source.url))
    return tuple(spans)


def entry_reply(
    entry: Entry, knowledge: KnowledgeBase, *, compact: bool = False, in_full: bool = False
) -> Reply:
    """An answer: the question in bold, the answer, its sources and related entries.

    An answer for staff that has plain words for patients shows those first, the full
    answer folded beneath, except in groups (``compact``: staff's quick reference) or
    when the question asked in billing words (``in_full``).
    """
    reviewed = Span(f"\nReviewed {entry.reviewed:%B %Y}")
    if entry.patient_answer and not (compact or in_full):
        # The staff question heads the fold, not the reply: a patient who asked "is dry
        # needling the same as a TPI" reads plain words, not "Which CPT code is used for
        # dry needling?". Inside the fold, its first line, never cut off from it.
        folded = Span(f"{FOR_STAFF} {entry.question}\n{entry.answer}", folded=True)
        answer: tuple[Paragraph, ...] = ((Span(entry.patient_answer),), (folded,))
        # Its buttons too are for the patient: not "Our TPI was denied ... how do we appeal?"
        related = [i for i in entry.related if _for_patients(i, knowledge)]
    else:
        answer = ((Span(entry.question, bold=True),), (Span(entry.answer),))
        related = list(entry.related)
    paragraphs = (*answer, (*source_paragraph(entry.sources), reviewed))
    return _with_related(paragraphs, related, knowledge, compact, rated=entry.id)


def _for_patients(entry_id: str, knowledge: KnowledgeBase) -> bool:
    """Whether an entry's question is a patient's: of a topic not for staff (an entry for
    staff asks in their words, "Which ICD-10 code do I use ...", plain words or not)."""
    entry = knowledge.entry(entry_id)
    topic = knowledge.topic(entry.topic) if entry is not None else None
    return topic is not None and not topic.for_staff


def _with_related(
    paragraphs: tuple[Paragraph, ...],
    related_ids: Iterable[str],
    knowledge: KnowledgeBase,
    compact: bool,
    rated: str | None = None,
) -> Reply:
    """A reply with up to 3 related entries as options; in groups (compact) just the text."""
    if compact:
        return Reply(paragraphs)
    related = [knowledge.entry(i) for i in list(related_ids)[:3]]
    options = tuple(Option(r.question, faq_data(r.id)) for r in related if r is not None)
    return Reply(paragraphs, options, rated_entry=rated)


def one_message_reply(
    entry: Entry, knowledge: KnowledgeBase, full_answer_url: str | None, limit: int = MESSAGE_LIMIT
) -> Reply:
    """An answer that fits one message (inline mode sends exactly one).

    A long answer keeps its question, as much of its start as fits, its sources and the
    reviewed line, and links to the full answer; only the answer's middle is left out.
    """
    full = entry_reply(entry, knowledge, compact=True)
    if len(render_html(full, limit)) == 1:
        return full
    question, _, sources = full.paragraphs
    link: Paragraph = (
        (Span("Read the full answer", url=full_answer_url),)
        if full_answer_url
        else (Span(f"The full answer: /start {entry.id} in a private chat with me"),)
    )
    kept = (question, link, sources)
    separators = 2 * len(kept)
    room = limit - separators - sum(_paragraph_length(p) for p in kept) - 1
    if room <= 0:
        return full
    start = split_text(entry.answer, room)[0].rstrip()
    return Reply((question, (Span(start + "…"),), link, sources))


def _paragraph_length(paragraph: Paragraph) -> int:
    return telegram_length("".join(span.text for span in paragraph))


def icd10_reply(answer: CodeAnswer, knowledge: KnowledgeBase, *, compact: bool = False) -> Reply:
    """A code-set answer: the codes in bold, what the tabular and the lists say, sources."""
    paragraphs = (
        (Span(answer.title, bold=True),),
        *((Span(paragraph),) for paragraph in answer.paragraphs),
        source_paragraph(answer.sources),
    )
    return _with_related(paragraphs, answer.related, knowledge, compact)


def case_reply(answer: CaseAnswer, knowledge: KnowledgeBase, *, compact: bool = False) -> Reply:
    """A counted case: what was counted and the code in bold, the rule, sources, related."""
    entry = answer.entry
    reviewed = Span(f"\nReviewed {entry.reviewed:%B %Y}")
    paragraphs = (
        (Span(answer.title, bold=True),),
        *((Span(paragraph),) for paragraph in answer.paragraphs),
        (Span(entry.answer),),
        (*source_paragraph(entry.sources), reviewed),
    )
    return _with_related(paragraphs, answer.related, knowledge, compact, rated=entry.id)


def topics_reply(knowledge: KnowledgeBase, intro: str = "Pick a topic:") -> Reply:
    options = tuple(Option(topic.title, topic_data(topic.id)) for topic in knowledge.topics)
    return Reply(text(intro), options)


def topic_reply(topic: Topic, knowledge: KnowledgeBase) -> Reply:
    entries = knowledge.entries_in(topic.id)
    options = tuple(Option(entry.question, faq_data(entry.id)) for entry in entries)
    return Reply(((Span(topic.title, bold=True),), (Span("Pick a question:"),)), options)


def not_found_reply(result: Result, knowledge: KnowledgeBase) -> Reply:
    lead = "Sorry, I don't have an answer to that."
    covered = "I answer questions about trigger point injections. Pick a topic:"
    if result.language is not None:
        lead = ENGLISH_ONLY.get(result.language, ENGLISH_ONLY[OTHER])
        covered = "Please ask in English, or pick a topic:"
    elif result.unknown_codes:
        lead = _no_information(result)
    elif result.other_subjects:
        lead = f"Sorry, I don't have an answer to that about {_subjects(result)}."
    elif result.unanswered_points:
        # The question was on the subject: the topics are what else there is, not a hint
        # that it strayed.
        lead = f"Sorry, I have no answer on {_points(result)}."
        covered = "These are the topics I can answer:"
    elif is_long_message(result.query):
        covered = f"{SHORTER_HINT} Or pick a topic:"  # a shorter question might be answered
    return topics_reply(knowledge, f"{lead} {covered}")


def safety_reply(result: Result, knowledge: KnowledgeBase, *, compact: bool = False) -> Reply:
    """The safety line, then (outside groups) buttons to the entries it names."""
    assert result.safety is not None
    return _with_related(text(result.safety.reply), result.safety.related, knowledge, compact)


def suggest_reply(result: Result) -> Reply:
    options = tuple(Option(c.entry.question, faq_data(c.entry.id)) for c in result.candidates)
    lead = LONG_SUGGEST_LEAD if is_long_message(result.query) else "Did you mean one of these?"
    if result.other_subjects:
        lead = (
            f"My answers on this are about trigger point injections, not {_subjects(result)}."
            " The closest I have:"
        )
    elif result.unknown_codes:
        lead = f"{_no_information(result)} The closest I have:"
    elif result.unanswered_points:
        lead = f"I have no answer on {_points(result)}. The closest I have:"
    return Reply(text(lead), (*options, Option("None of these", TOPICS_DATA)))


def asks_nothing(result: Result) -> bool:
    """Whether the message asked nothing: a bare mention, an emoji, "?", or stop words
    alone that matched nothing ("ok", "lol"; "How is it done?" is answered)."""
    query = result.query
    if result.language is not None:
        return False
    return not normalise(query) or (result.status is Status.NONE and says_nothing(query))


def _no_information(result: Result) -> str:
    return f"Sorry, I have no information about {', '.join(result.unknown_codes)}."


def _subjects(result: Result) -> str:
    """The other subjects asked about, as people write them ("MRI", "physical therapy")."""
    names = [name.upper() if len(name) <= 3 else name for name in result.other_subjects]
    return " or ".join(names)


def _points(result: Result) -> str:
    """What the question asks that no entry answers, as points.yaml words it (the texts
    may say "or" themselves)."""
    return ", nor on ".join(result.unanswered_points)


def reply_for(result: Result, knowledge: KnowledgeBase, *, compact: bool = False) -> Reply:
    """The reply for a matcher result; ``compact`` drops the extras for group chats."""
    if asks_nothing(result):  # how to ask
        return Reply(text(GROUP_USAGE if compact else NOTHING_ASKED))
    if result.status is Status.SAFETY:
        return safety_reply(result, knowledge, compact=compact)
    if result.icd10 is not None:
        return icd10_reply(result.icd10, knowledge, compact=compact)
    if result.case is not None:
        return case_reply(result.case, knowledge, compact=compact)
    if result.status is Status.ANSWER and result.entry is not None:
        return entry_reply(result.entry, knowledge, compact=compact, in_full=result.asks_billing)
    if result.status is Status.SUGGEST:
        return suggest_reply(result)
    if result.status is Status.SMALLTALK and result.smalltalk is not None:
        return Reply(text(result.smalltalk.reply))
    return not_found_reply(result, knowledge)


# --- rendering ----------------------------------------------------------------------------


def render_plain(reply: Reply, *, numbered_options: bool = True) -> str:
    """Plain text: links as ``name (url)``, options as a numbered list."""
    blocks = ["".join(_plain_span(span) for span in paragraph) for paragraph in reply.paragraphs]
    if numbered_options and reply.options:
        blocks.append(
            "\n".join(f"  {n}. {option.label}" for n, option in enumerate(reply.options, 1))
        )
    return "\n\n".join(blocks)


def _plain_span(span: Span) -> str:
    return f"{span.text} ({span.url})" if span.url else span.text


def _html_span(span: Span) -> str:
    escaped = html.escape(span.text, quote=False)
    if span.url:
        escaped = f'<a href="{html.escape(span.url, quote=True)}">{escaped}</a>'
    if span.bold:
        escaped = f"<b>{escaped}</b>"
    return f"<blockquote expandable>{escaped}</blockquote>" if span.folded else escaped


def telegram_length(value: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(value.encode("utf-16-le")) // 2


def render_html(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Telegram HTML messages, each within ``limit`` characters of visible text."""
    chunks: list[list[Paragraph]] = [[]]
    size = 0
    for paragraph in _fit_paragraphs(reply.paragraphs, limit):
        length = telegram_length("".join(span.text for span in paragraph))
        if chunks[-1] and size + 2 + length > limit:
            chunks.append([])
            size = 0
        size += length + (2 if chunks[-1] else 0)
        chunks[-1].append(paragraph)
    return ["\n\n".join("".join(_html_span(s) for s in p) for p in chunk) for chunk in chunks]


def _fit_paragraphs(paragraphs: Iterable[Paragraph], limit: int) -> list[Paragraph]:
    """Paragraphs, with any longer than ``limit`` cut into plain pieces that fit."""
    fitted: list[Paragraph] = []
    for paragraph in paragraphs:
        if telegram_length("".join(span.text for span in paragraph)) <= limit:
            fitted.append(paragraph)
            continue
        for span in paragraph:
            fitted += [
                (Span(piece, bold=span.bold, folded=span.folded),)
                for piece in split_text(span.text, limit)
            ]
    return fitted


def split_text(value: str, limit: int) -> list[str]:
    """Cut ``value`` into pieces of at most ``limit`` units: at lines, then words, then hard."""

    def words(line: str) -> list[str]:
        return _pack(line.split(" "), " ", limit, lambda word: _hard_cut(word, limit))

    return _pack(value.split("\n"), "\n", limit, words)


def _pack(
    parts: list[str], separator: str, limit: int, split_part: Callable[[str], list[str]]
) -> list[str]:
    """Join ``parts`` greedily into pieces within ``limit``; split any part too long alone."""
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if telegram_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if telegram_length(part) <= limit:
            current = part
        else:
            *whole, current = split_part(part)
            pieces += whole
    if current:
        pieces.append(current)
    return pieces


def _hard_cut(word: str, limit: int) -> list[str]:
    pieces = []
    while telegram_length(word) > limit:
        cut = _cut_at(word, limit)
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def _cut_at(value: str, limit: int) -> int:
    """The largest prefix length of ``value`` within ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(value):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return max(1, index)
    return len(value)


def reply_for_data(data: str, knowledge: KnowledgeBase, *, compact: bool = False) -> Reply | None:
    """The reply a button (or a numbered console choice) stands for; None if unknown."""
    button = callbackdata.parse(data)
    if button is None:
        return None
    if button.kind is Kind.TOPICS:
        return topics_reply(knowledge)
    if button.kind is Kind.FAQ and (entry := knowledge.entry(button.key)) is not None:
        return entry_reply(entry, knowledge, compact=compact)
    if button.kind is Kind.TOPIC and (topic := knowledge.topic(button.key)) is not None:
        return topic_reply(topic, knowledge)
    return None


def help_reply(bot_username: str | None = None) -> Reply:
    """What to ask and how, in Telegram (the bot's ``@username`` given) or the console; the
    disclaimer is part of it."""
    examples = (
        'Ask in plain words, for example "Which CPT code for 3 muscles?", "Can I bill 20552'
        ' twice?", "What does a trigger point feel like?" or just a code such as J3301.'
    )
    if bot_username is not None:
        usage = (
            "/topics – browse the questions by topic\n"
            "/ask <question> – ask (works in groups too)\n"
            "/help – this message\n\n"
            f"{GROUP_USAGE} I stay quiet otherwise. In any chat you can type @{bot_username}"
            " and a question to answer inline. I don't read edited messages: send a"
            " corrected question again."
        )
    else:
        usage = (
            "/topics – browse the questions by topic\n"
            "a number – pick one of the numbered choices\n"
            "/help – this message\n/quit – leave"
        )
    intro = (
        "I answer questions about trigger point injections: CPT codes and billing, symptoms,"
        " diagnosis, treatment and related conditions, each with its source."
    )
    return Reply(text(intro, examples, usage, DISCLAIMER))
