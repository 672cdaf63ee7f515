"""The base of the generated message classes (``_messages.py``): equality by content, a short ``repr``,
``to_dict()``, and read access by key (``msg["field"]``, ``msg.get("field")``) for code written against the
dicts earlier versions returned."""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Dict, Iterator, Tuple


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Message:
    """One proto message: an attribute per field, in proto order."""

    __slots__: ClassVar[Tuple[str, ...]] = ()
    _proto: ClassVar[str] = ""

    def _items(self) -> Iterator[Tuple[str, Any]]:
        """``(name, value)`` of every field, in proto order."""
        for name in self.__slots__:
            yield name, getattr(self, name)

    def to_dict(self) -> Dict[str, Any]:
        """The message as plain data (nested messages as dicts, enums by name), e.g. for ``json.dumps``."""
        return {name: _plain(value) for name, value in self._items()}

    def __getitem__(self, name: str) -> Any:
        if name not in self.__slots__:
            raise KeyError(name)
        return getattr(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name) if name in self.__slots__ else default

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(other, n) == v for n, v in self._items())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = [f"{n}={v!r}" for n, v in self._items() if v not in ("", 0, None, [], {}, False)]
        return f"{type(self).__name__}({', '.join(shown)})"
