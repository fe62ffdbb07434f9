"""A cache of the validated knowledge base, so start-up and /reload skip YAML at scale.

Reading and validating YAML, then compiling the texts for matching, is most of a large
knowledge base's start-up. Once a directory has loaded, its validated
:class:`KnowledgeBase` is kept as JSON under ``DATA_DIR/cache``, named by a SHA-256 over
every knowledge file (name and bytes) and the loader's own source code: an edited file or a
changed loader never reads a stale cache. Beside it, :func:`load_matcher` keeps the
compiled index (:meth:`bot.index.KnowledgeIndex.plain`), keyed also by the code that
compiles it and the stemmer's version. The files are data only: ``json`` reads them and
only the knowledge dataclasses are rebuilt from them (never pickle). A missing, damaged or
mismatched cache is just rebuilt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import bot.knowledge
import bot.knowledge.model as model
from bot.gcpause import collection_paused
from bot.index import KnowledgeIndex
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.matching import Matcher
from bot.results import Thresholds
from bot.text import stemmer_version

logger = logging.getLogger(__name__)

FORMAT = 1
CACHE_DIRECTORY = "cache"
# The classes a cache file may rebuild, by name: the knowledge model's dataclasses and
# nothing else (any other name makes the file a miss).
_CLASSES: dict[str, type[Any]] = {
    name: cls
    for name, cls in vars(model).items()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
}
_DATE = "@date"
_CLASS = "@"
# Long lists are encoded this many items at a time.
_CHUNK = 1000
# Characters of a long text encoded at a time (see _write_value).
_TEXT_CHUNK = 1_000_000
# What compiles the index: a change to any of these makes a cached index a miss.
_INDEX_SOURCES = ("index.py", "text.py", "phrases.py")


def cache_key(directory: Path) -> str:
    """SHA-256 over the knowledge files and the loader that validates them."""
    digest = hashlib.sha256(f"knowledge-cache-{FORMAT}".encode())
    loader_dir = Path(bot.knowledge.__file__).parent
    for path in sorted(loader_dir.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def index_key(knowledge_key: str) -> str:
    """SHA-256 over the knowledge's key, the code that compiles it and the stemmer."""
    digest = hashlib.sha256(f"index-cache-{knowledge_key}".encode())
    digest.update(stemmer_version().encode() + b"\0")
    bot_dir = Path(bot.knowledge.__file__).parent.parent
    for name in _INDEX_SOURCES:
        digest.update(name.encode() + b"\0" + (bot_dir / name).read_bytes() + b"\0")
    return digest.hexdigest()


def load_matcher(
    directory: Path,
    data_dir: Path,
    thresholds: Thresholds | None = None,
    previous: Matcher | None = None,
) -> Matcher:
    """A :class:`Matcher` for ``directory``; knowledge and compiled index from the cache in
    ``data_dir`` while the files are unchanged. Raises KnowledgeError as ``load_knowledge``.

    ``previous``: the matcher a reload replaces. Entries it has unchanged are shared with
    it (its objects, not equal copies) and their texts are not compiled again: at 100,000
    entries the old and the new knowledge are both in memory while the new one loads.
    """
    reuse = previous.knowledge if previous is not None else None
    knowledge, knowledge_key = _knowledge(Path(directory), Path(data_dir), reuse)
    if knowledge_key is None:  # the files changed while they were read: cache nothing
        return Matcher(knowledge, thresholds)
    key = index_key(knowledge_key)
    cache_dir = Path(data_dir) / CACHE_DIRECTORY
    path = cache_dir / f"index-{key[:40]}.json"
    index = _read_index(path, key, knowledge)
    if index is None:
        with collection_paused():
            index = KnowledgeIndex(knowledge, previous=previous.index if previous else None)
        _write(cache_dir, path, "index-", key, "index", index.plain_parts())
    return Matcher(knowledge, thresholds, index)


def _sharing(knowledge: KnowledgeBase, old: KnowledgeBase) -> KnowledgeBase:
    """``knowledge`` with each entry that ``old`` has, equal, replaced by ``old``'s object."""
    return dataclasses.replace(knowledge, entries=tuple(map(old.own, knowledge.entries)))


def _read_index(path: Path, key: str, knowledge: KnowledgeBase) -> KnowledgeIndex | None:
    try:
        with collection_paused():
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("key") != key:
                return None
            return KnowledgeIndex(knowledge, compiled=data["index"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        logger.warning("index cache %s unreadable (%s); compiling the knowledge", path, error)
        return None


def load_cached(directory: Path, data_dir: Path) -> KnowledgeBase:
    """``load_knowledge(directory)``, from the cache in ``data_dir`` if the files are unchanged.

    Raises KnowledgeError exactly as ``load_knowledge`` does; invalid knowledge is never
    cached.
    """
    return _knowledge(Path(directory), Path(data_dir))[0]


def _knowledge(
    directory: Path, data_dir: Path, reuse: KnowledgeBase | None = None
) -> tuple[KnowledgeBase, str | None]:
    """The knowledge and the key of the files it is (None: they changed while read);
    ``reuse``: see ``load_knowledge``."""
    if not directory.is_dir():
        return load_knowledge(directory), None
    cache_dir = data_dir / CACHE_DIRECTORY
    key = cache_key(directory)
    path = cache_dir / f"knowledge-{key[:40]}.json"
    cached = _read(path, key)
    if cached is not None:  # equal copies from the JSON: share them as the loader does
        return (cached if reuse is None else _sharing(cached, reuse)), key
    knowledge = load_knowledge(directory, reuse=reuse)
    if cache_key(directory) != key:
        return knowledge, None
    _write(cache_dir, path, "knowledge-", key, "knowledge", _fields(knowledge))
    return knowledge, key


def _read(path: Path, key: str) -> KnowledgeBase | None:
    try:
        with collection_paused():
            data = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as error:
        logger.warning("knowledge cache %s unreadable (%s); reading the YAML", path, error)
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    knowledge = data.get("knowledge")
    return knowledge if isinstance(knowledge, KnowledgeBase) else None


def _write(
    cache_dir: Path,
    path: Path,
    prefix: str,
    key: str,
    name: str,
    parts: Iterable[tuple[str, object]],
) -> None:
    """``{"key": key, name: {part: value, ...}}``, atomically, owner-only; older caches of
    the kind (``prefix``) are removed. Failing to write is not an error.

    Written a part, and a long list a thousand items, at a time: one JSON text of the whole
    took 250 MB beside the data at 100,000 entries, at reload while the old knowledge is
    still in use.
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")  # mode 0600
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(f"{{{_json('key')}: {_json(key)}, {_json(name)}: {{")
            for number, (part, value) in enumerate(parts):
                file.write(f"{', ' if number else ''}{_json(part)}: ")
                _write_value(file, value)
            file.write("}}")
        os.replace(temporary, path)
        for old in cache_dir.glob(f"{prefix}*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("knowledge cache %s not written (%s)", path, error)


def _write_value(file: TextIO, value: object) -> None:
    """``_json(value)``, byte for byte, written a piece at a time when it is long: a list
    or a mapping a thousand items, a text a million characters at a time (JSON escapes
    each character on its own). At 100,000 entries the index's texts (one string of 30
    MB) and postings would each be encoded whole, at reload, beside both indexes."""
    if isinstance(value, list | tuple) and len(value) > _CHUNK:
        file.write("[")
        for first in range(0, len(value), _CHUNK):
            chunk = _json(list(value[first : first + _CHUNK]))[1:-1]
            file.write(f"{', ' if first else ''}{chunk}")
        file.write("]")
    elif isinstance(value, dict) and len(value) > _CHUNK:
        file.write("{")
        items = iter(value.items())
        for number, some in enumerate(iter(lambda: dict(islice(items, _CHUNK)), {})):
            file.write(f"{', ' if number else ''}{_json(some)[1:-1]}")
        file.write("}")
    elif isinstance(value, str) and len(value) > _TEXT_CHUNK:
        file.write('"')
        for first in range(0, len(value), _TEXT_CHUNK):
            file.write(_json(value[first : first + _TEXT_CHUNK])[1:-1])
        file.write('"')
    else:
        file.write(_json(value))


def _json(value: object) -> str:
    # The C encoder; dataclasses become dicts one at a time as it meets them.
    return json.dumps(value, ensure_ascii=False, default=_encode)


def _fields(knowledge: KnowledgeBase) -> Iterator[tuple[str, object]]:
    """The knowledge as _encode writes it, field by field."""
    yield _CLASS, type(knowledge).__name__
    for field in dataclasses.fields(knowledge):
        if field.init:
            yield field.name, getattr(knowledge, field.name)


def _encode(value: object) -> object:
    """What JSON cannot write itself: a knowledge dataclass or a date (tuples it writes as
    lists, and its values it encodes in turn)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (f for f in dataclasses.fields(value) if f.init)
        return {_CLASS: type(value).__name__} | {f.name: getattr(value, f.name) for f in fields}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not cached")


def _decode(obj: dict[str, Any]) -> object:
    if _DATE in obj:
        return dt.date.fromisoformat(obj[_DATE])
    name = obj.pop(_CLASS, None)
    if name is None:
        return obj
    return _CLASSES[name](**{field: _tuples(value) for field, value in obj.items()})


def _tuples(value: object) -> object:
    """The model uses tuples throughout; JSON has lists."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value
