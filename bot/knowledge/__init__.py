"""The knowledge base: typed model, YAML loader and validation (``knowledge/*.yaml``).

Import from here: ``from bot.knowledge import Entry, KnowledgeBase, load_knowledge``.
"""

from bot.knowledge.loader import (
    DEFAULT_KNOWLEDGE_DIR,
    SECTION_READERS,
    SECTIONS,
    load_knowledge,
)
from bot.knowledge.model import (
    DiagnosisList,
    Entry,
    KnowledgeBase,
    KnowledgeChanges,
    MuscleTerm,
    Point,
    SafetyRule,
    SmalltalkIntent,
    Source,
    Topic,
    compare,
)
from bot.knowledge.validation import (
    ENTRY_FIELDS,
    ID_PATTERN,
    SMALLTALK_FIELDS,
    SOURCE_FIELDS,
    TOPIC_FIELDS,
    KnowledgeError,
    Problem,
)

__all__ = [
    "DEFAULT_KNOWLEDGE_DIR",
    "ENTRY_FIELDS",
    "ID_PATTERN",
    "SECTIONS",
    "SECTION_READERS",
    "SMALLTALK_FIELDS",
    "SOURCE_FIELDS",
    "TOPIC_FIELDS",
    "DiagnosisList",
    "Entry",
    "KnowledgeBase",
    "KnowledgeChanges",
    "KnowledgeError",
    "MuscleTerm",
    "Point",
    "Problem",
    "SafetyRule",
    "SmalltalkIntent",
    "Source",
    "Topic",
    "compare",
    "load_knowledge",
]
