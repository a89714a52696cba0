"""Which support table a line goes to, derived from the ``route`` objects in ``metadata/``.

Route forms (``metadata/tables/support.json``):

- ``{"module": "administrator.conference"}``: every line of that module (``Name=``);
- ``{"module": "support.sip", "direction": "received", "message_words": [...]}``: lines of the
  module whose Message's first direction word (whole word, case-insensitive) is one of
  ``message_words``; the module's ``{"direction": "other"}`` table takes the rest. A module written
  ``<module>.<direction>`` (the 2019 project's naming, e.g. ``support.sip.received``) goes to that
  direction's table;
- ``{"fallback": true}``: every other module (``support_other``).

Module names are compared case-insensitively. There is no second, hard-coded list: the registry is
the only source of truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pexlogs.exceptions import SchemaError
from pexlogs.schema import Registry, load_registry

__all__ = ["SupportRoutes", "build_routes"]

_WORD = re.compile(r"[a-z]+")
_CACHE_LIMIT = 50_000


@dataclass
class _Directional:
    words: dict[str, str]  # message word -> table
    other: str


class SupportRoutes:
    """The routing table of the support family (build once with :func:`build_routes`)."""

    def __init__(
        self, modules: dict[str, str], directional: dict[str, _Directional], fallback: str
    ) -> None:
        self._modules = modules
        self._directional = directional
        self.fallback = fallback
        self._cache: dict[tuple[str, str], str] = {}

    def table_for(self, module: str | None, message: str | None) -> str:
        """The table of a line of ``module`` with ``message``."""
        if module is None:
            return self.fallback
        key = (module, message or "")
        table = self._cache.get(key)
        if table is None:
            table = self._resolve(module.lower(), message or "")
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = table
        return table

    def _resolve(self, module: str, message: str) -> str:
        table = self._modules.get(module)
        if table is not None:
            return table
        rule = self._directional.get(module)
        if rule is not None:
            for word in _WORD.findall(message.lower()):
                found = rule.words.get(word)
                if found is not None:
                    return found
            return rule.other
        parent, _, suffix = module.rpartition(".")
        rule = self._directional.get(parent)
        if rule is not None:
            if suffix == "other":
                return rule.other
            for table in set(rule.words.values()):
                if table.endswith("_" + suffix):
                    return table
        return self.fallback


def build_routes(registry: Registry | None = None) -> SupportRoutes:
    """Build the support routing table from the registry's ``route`` objects (validating them)."""
    reg = registry or load_registry()
    modules: dict[str, str] = {}
    words: dict[str, dict[str, str]] = {}
    others: dict[str, str] = {}
    fallback: str | None = None
    for table in reg.tables_for_family("support"):
        route = table.route
        if route.get("fallback") is True:
            if fallback is not None:
                raise SchemaError(f"support tables {fallback} and {table.name} are both fallbacks")
            fallback = table.name
            continue
        module = route.get("module")
        if not isinstance(module, str) or not module:
            raise SchemaError(f"table {table.name}: route needs 'module' or 'fallback'")
        module = module.lower()
        direction = route.get("direction")
        if direction is None:
            if module in modules or module in words or module in others:
                raise SchemaError(f"module {module} is routed to two tables")
            modules[module] = table.name
            continue
        if module in modules:
            raise SchemaError(f"module {module} is routed to two tables")
        message_words = route.get("message_words", [])
        if not isinstance(message_words, list) or not all(
            isinstance(w, str) for w in message_words
        ):
            raise SchemaError(f"table {table.name}: message_words must be a list of strings")
        if not message_words:
            if module in others:
                raise SchemaError(f"module {module} has two direction tables without message_words")
            others[module] = table.name
            continue
        mapping = words.setdefault(module, {})
        for word in message_words:
            if word.lower() in mapping:
                raise SchemaError(f"message word {word!r} of {module} routes to two tables")
            mapping[word.lower()] = table.name
    if fallback is None:
        raise SchemaError("the support family needs one table with route {'fallback': true}")
    directional: dict[str, _Directional] = {}
    for module in set(words) | set(others):
        if module not in others:
            raise SchemaError(f"module {module}: a direction table without message_words is needed")
        directional[module] = _Directional(words=words.get(module, {}), other=others[module])
    return SupportRoutes(modules, directional, fallback)
