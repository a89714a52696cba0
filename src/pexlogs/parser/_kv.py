"""The ``Key="value"`` tokenizer of support lines, built on ``str.split``/``str.find`` for speed.

The grammar (``samples/README.md``): pairs are separated by single spaces; a value ends at a ``"``
that is not preceded by a backslash and is followed by whitespace or the end of the line; inside a
value ``\\"`` stands for ``"`` (newer releases) while older releases did not escape inner quotes at
all; a value that starts with ``^M`` (a SIP message) runs to the last ``"`` of the line.

Instead of walking the line character by character, the text is cut at every ``" `` (the only
place a value can close before the end) and the pieces are glued back where the cut was not a
real boundary: when the piece before it ends in a backslash (an escaped quote) or the piece after
it does not start with ``Key="`` (an unescaped inner quote, e.g. ``From: "Alice" <sip:…>``). That
is the README rule made robust for the unescaped era, at close to the cost of one ``str.split``.
"""

from __future__ import annotations

import re

from pexlogs.exceptions import UnparseableLineError

__all__ = ["led_value_pairs", "split_pairs", "unescape"]

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*\Z")
_VALID_KEYS: dict[str, bool] = {}
_CACHE_LIMIT = 20_000
# Fragment keys written after a ^M-led value would otherwise be swallowed by the "runs to the
# last quote of the line" rule; they are peeled off the end of such a value.
_FRAGMENT_TAIL = re.compile(r'(?:" (Fragment-[A-Za-z]+)="((?:[^"\\]|\\.)*))+\Z', re.IGNORECASE)
_FRAGMENT_PAIR = re.compile(r'" (Fragment-[A-Za-z]+)="((?:[^"\\]|\\.)*)', re.IGNORECASE)


def _check_key(key: str) -> bool:
    """Whether ``key`` is a key name (cached: real logs use a few hundred distinct keys)."""
    ok = _KEY.match(key) is not None
    if len(_VALID_KEYS) > _CACHE_LIMIT:  # arbitrary input must not grow the cache forever
        _VALID_KEYS.clear()
    _VALID_KEYS[key] = ok
    return ok


def unescape(value: str) -> str:
    """``\\"`` → ``"`` (the only escape of the format; backslashes themselves are not escaped)."""
    return value.replace('\\"', '"') if '\\"' in value else value


def _close_last(key: str, value: str) -> str:
    """The last value of a line still carries its closing quote: check it and drop it."""
    if len(value) >= 1 and value[-1] == '"' and not (len(value) >= 2 and value[-2] == "\\"):
        return value[:-1]
    raise UnparseableLineError(f"value of {key} never closes (line cut off?)")


def _pair_key(piece: str) -> tuple[str, int] | None:
    """``(key, offset of the key)`` if ``piece`` starts a pair, else ``None``.

    A pair is ``Key="…``, after any extra spaces (the grammar separates pairs by single spaces,
    the closing rule accepts any whitespace). ``Key=`` alone is a pair whose value starts with a
    space: the cut at ``" `` took its opening quote and that space.
    """
    start = 0
    if piece[:1] == " ":
        start = len(piece) - len(piece.lstrip(" "))
    eq = piece.find('="', start)
    if eq > start:
        key = piece[start:eq]
    elif eq < 0 and len(piece) > start + 1 and piece[-1] == "=":
        key = piece[start:-1]
    else:
        return None
    ok = _VALID_KEYS.get(key)
    if ok is None:
        ok = _check_key(key)
    return (key, start) if ok else None


def split_pairs(text: str) -> list[tuple[str, str]]:
    """Split ``Key="value" Key="value" …`` into ``(key, raw value)`` pairs, in line order.

    Values are returned raw (``\\"`` and ``^M`` untouched). Raises
    :class:`UnparseableLineError` when the text is not a pair list or its last value never closes.

    >>> split_pairs('Level="INFO" Message="say "hi" now" Detail="a \\\\"b\\\\""')
    [('Level', 'INFO'), ('Message', 'say "hi" now'), ('Detail', 'a \\\\"b\\\\"')]
    """
    parts = text.strip().split('" ')
    n = len(parts)
    found = _pair_key(parts[0])
    if found is None:
        raise UnparseableLineError(f'expected Key="value" at {parts[0][:40]!r}')
    pairs: list[tuple[str, str]] = []
    i = 0
    while True:
        key, start = found
        piece = parts[i]
        if len(piece) == start + len(key) + 1:  # "Key=": the value starts with a space
            i += 1
            if i == n:
                raise UnparseableLineError(f"value of {key} never closes (line cut off?)")
            value = " " + parts[i]
        else:
            value = piece[start + len(key) + 2 :]
        if value.startswith("^M"):
            # A SIP message: it runs to the last quote of the line, whatever it contains.
            return _led_value(pairs, key, value, parts, i)
        # Glue back cuts that were not a value boundary: an escaped quote (the value so far ends
        # with a backslash) or an unescaped inner quote (the next piece does not start a pair).
        i += 1
        next_found = None
        while i < n:
            part = parts[i]
            if value[-1:] != "\\":
                next_found = _pair_key(part)
                if next_found is not None:
                    break
            value = value + '" ' + part
            i += 1
        if next_found is None:
            pairs.append((key, _close_last(key, value)))
            return pairs
        pairs.append((key, value))
        found = next_found


def _led_value(
    pairs: list[tuple[str, str]], key: str, value: str, parts: list[str], i: int
) -> list[tuple[str, str]]:
    """Finish a line whose value ``parts[i]`` starts with ``^M``: it runs to the last quote."""
    if i < len(parts) - 1:
        value = '" '.join([value, *parts[i + 1 :]])
    pairs.extend(led_value_pairs(key, value))
    return pairs


def led_value_pairs(key: str, value: str) -> list[tuple[str, str]]:
    """The pairs of a ``^M``-led ``value`` that runs to the end of the line (its closing quote
    included): the value itself, then any ``Fragment-*`` pairs written after it."""
    value = _close_last(key, value)
    # One scan for the common case (no fragment); then the exact spellings the tail accepts.
    tail = (
        _FRAGMENT_TAIL.search(value)
        if "ragment-" in value and ('" Fragment-' in value or '" fragment-' in value)
        else None
    )
    if tail is None:
        return [(key, value)]
    pairs = [(key, value[: tail.start()])]
    pairs.extend((m.group(1), m.group(2)) for m in _FRAGMENT_PAIR.finditer(value, tail.start()))
    return pairs
