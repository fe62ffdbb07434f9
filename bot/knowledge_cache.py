"""A cache of the validated knowledge base, so start-up and /reload skip YAML at scale.

Reading and validating YAML is most of a large knowledge base's start-up. Once a
directory has loaded, its validated :class:`KnowledgeBase` is kept as JSON under
``DATA_DIR/cache``, named by a SHA-256 over every knowledge file (name and bytes) and the
loader's own source code: an edited file or a changed loader never reads a stale cache.
The file is data only: ``json`` reads it and only the knowledge dataclasses are rebuilt
from it (never pickle). A missing, damaged or mismatched cache is just rebuilt from YAML.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import bot.knowledge
import bot.knowledge.model as model
from bot.knowledge import KnowledgeBase, load_knowledge

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


def cache_key(directory: Path) -> str:
    """SHA-256 over the knowledge files and the loader that validates them."""
    digest = hashlib.sha256(f"knowledge-cache-{FORMAT}".encode())
    loader_dir = Path(bot.knowledge.__file__).parent
    for path in sorted(loader_dir.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_cached(directory: Path, data_dir: Path) -> KnowledgeBase:
    """``load_knowledge(directory)``, from the cache in ``data_dir`` if the files are unchanged.

    Raises KnowledgeError exactly as ``load_knowledge`` does; invalid knowledge is never
    cached.
    """
    directory = Path(directory)
    cache_dir = Path(data_dir) / CACHE_DIRECTORY
    if not directory.is_dir():
        return load_knowledge(directory)
    key = cache_key(directory)
    path = cache_dir / f"knowledge-{key[:40]}.json"
    cached = _read(path, key)
    if cached is not None:
        return cached
    knowledge = load_knowledge(directory)
    if cache_key(directory) == key:  # the files did not change while they were read
        _write(cache_dir, path, key, knowledge)
    return knowledge


def _read(path: Path, key: str) -> KnowledgeBase | None:
    try:
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


def _write(cache_dir: Path, path: Path, key: str, knowledge: KnowledgeBase) -> None:
    """Atomically, owner-only; older caches are removed. Failing to write is not an error."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")  # mode 0600
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"key": key, "knowledge": _encode(knowledge)}, file, ensure_ascii=False)
        os.replace(temporary, path)
        for old in cache_dir.glob("knowledge-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("knowledge cache %s not written (%s)", path, error)


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (f for f in dataclasses.fields(value) if f.init)
        return {_CLASS: type(value).__name__} | {
            f.name: _encode(getattr(value, f.name)) for f in fields
        }
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    return value


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
