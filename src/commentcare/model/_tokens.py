"""Tokenising a whole batch at once, in NumPy, with no Python step per token.

Why: a comment has some forty tokens, and anything done per token in Python (a regex match
object, a dict lookup, a string) costs more than the rest of classification put together. Here a
batch is one array of code points: a lookup table gives each its token class and its lower-cased
value, token boundaries come from comparing neighbours, and each token gets a 64-bit polynomial
hash from one cumulative sum. Vocabulary and bigram lookups are then open-addressing hash tables
probed with array operations.

The tokens are exactly those of the regular expression this replaced, applied to the lower-cased
text with every digit turned into ``0``::

    [^\\W\\d_]+(?:'[^\\W\\d_]+)?|\\d+|[!?]|[\\u2600-\\u27bf\\U0001F000-\\U0001FAFF]

(letter runs, at most one apostrophe joining two of them; digit runs; ``!`` and ``?``; emoji),
with two known exceptions: the few characters whose lower case is longer than one character
(such as U+0130) keep their own case, and characters beyond the BMP outside the emoji block
U+1F000..U+1FAFF (mathematical alphanumerics, Linear B, CJK extension B, ...) are in no token, so
they split words (``tests/plain.py`` restates both).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["HashIndex", "Tokens", "codepoints", "hash_strings", "tokenize"]

# Token classes.
_OTHER, _LETTER, _DIGIT, _SINGLE, _SEP = 0, 1, 2, 3, 4
_ODD = 2  # added to the one-character classes (3, 4) at odd positions: 5, 6
_APOSTROPHE = 0x27
_MULT = np.uint64(0x100000001B3)  # odd, so invertible modulo 2**64
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Code point (BMP) -> token class, and -> the value hashed (lower case; digits as '0')."""
    chars = [chr(c) for c in range(0x10000)]
    lowered = [c.lower() for c in chars]
    probe = "".join(lo if len(lo) == 1 else c for c, lo in zip(chars, lowered))
    cls = np.zeros(0x10000, dtype=np.uint8)
    val = np.arange(0x10000, dtype=np.uint64)
    single = np.fromiter((len(lo) == 1 for lo in lowered), dtype=bool, count=0x10000)
    val[single] = np.fromiter((ord(lo) for lo in lowered if len(lo) == 1), dtype=np.uint64)
    # Surrogates cannot be matched by a pattern in a str; they are in no class anyway.
    for rx, k in (
        (r"[\u2600-\u27bf!?]", _SINGLE),
        (r"\d", _DIGIT),
        (r"[^\W\d_]", _LETTER),  # last, so it wins where the original alternation tried it first
    ):
        hits = [m.start() for m in re.finditer(rx, probe)]
        cls[hits] = k
    val[cls == _DIGIT] = ord("0")
    cls[0] = _SEP
    val[0] = 0
    return cls, val


_CLASS, _VALUE = _tables()


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as uint32 (lone surrogates kept, never an error)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _values(cp: np.ndarray, astral: np.ndarray | None = None) -> np.ndarray:
    val = _VALUE.take(cp, mode="clip")
    if astral is None:
        astral = np.flatnonzero(cp > 0xFFFF) if len(cp) and int(cp.max()) > 0xFFFF else None
    if astral is not None and len(astral):
        val[astral] = cp[astral]
    return val


_MULT_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
#: Hashing runs over windows of at most this many code points, cut between tokens, with one
#: cached table of powers that long (1 MB): a window's hashes do not depend on where it starts.
_CACHED = 1 << 17
_up: list[np.ndarray] = []
# M**-i as M**-(4096*high) * M**-low: two small tables, read only at the starts of tokens.
_DOWN_LOW = np.ones(1 << 12, dtype=np.uint64)
np.cumprod(np.full((1 << 12) - 1, _MULT_INV, dtype=np.uint64), out=_DOWN_LOW[1:])
_DOWN_HIGH = np.ones(1 << 12, dtype=np.uint64)
np.cumprod(np.full((1 << 12) - 1, pow(int(_MULT_INV), 1 << 12, 1 << 64), dtype=np.uint64), out=_DOWN_HIGH[1:])


def _powers_up(n: int) -> np.ndarray:
    """``M**(i+1)`` for i < n: from the cached table, or computed for a longer single token."""
    if n > _CACHED:
        return np.cumprod(np.full(n, _MULT, dtype=np.uint64))
    if not _up:
        _up.append(np.cumprod(np.full(_CACHED, _MULT, dtype=np.uint64)))
    return _up[0][:n]


def _span_hashes(val: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hash of ``val[s:e]`` for each span: the sum of ``val[s+k] * M**(k+1)``, modulo 2**64.

    Spans must be sorted and disjoint. One prefix sum of ``val[i] * M**(i+1)`` per window serves
    every span in it; multiplying a span's difference by ``M**-s`` makes its hash independent of
    where it sits. A span longer than a window is a window of its own.
    """
    out = np.empty(len(starts), dtype=np.uint64)
    first = 0  # index of the window's first span
    while first < len(starts):
        base = int(starts[first])
        if int(ends[first]) - base > _CACHED:
            last = first + 1
        else:  # every span that ends within the window
            last = int(np.searchsorted(ends, base + _CACHED, side="right"))
        window = val[base : int(ends[last - 1])]
        prefix = np.zeros(len(window) + 1, dtype=np.uint64)
        np.multiply(window, _powers_up(len(window)), out=prefix[1:])
        np.cumsum(prefix[1:], out=prefix[1:])
        s = starts[first:last] - base
        e = ends[first:last] - base
        out[first:last] = (prefix[e] - prefix[s]) * (_DOWN_HIGH.take(s >> 12) * _DOWN_LOW.take(s & 4095))
        first = last
    return out


def hash_strings(strings: Sequence[str]) -> np.ndarray:
    """The hash :func:`tokenize` gives each string when it is one token (any string accepted)."""
    if not strings:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    ends = np.cumsum(lengths)
    return _span_hashes(_values(codepoints("".join(strings))), ends - lengths, ends)


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of a batch, in order: hash, span in the batch's code points, and comment."""

    hashes: np.ndarray  # uint64; 0 for the separator token that opens each comment
    starts: np.ndarray
    ends: np.ndarray
    doc: np.ndarray  # index of the comment each token belongs to
    # The batch's hashed values (lower case, digits as '0'), kept only when asked for: fitting
    # needs the tokens as strings, prediction does not (and this is the batch's largest array).
    values: np.ndarray | None = None

    def strings(self) -> list[str]:
        """The tokens as strings (for fitting; prediction never needs them)."""
        if self.values is None:
            raise ValueError("tokenize(..., keep_values=True) keeps what strings() needs")
        text = self.values.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
        return [text[s:e] for s, e in zip(self.starts.tolist(), self.ends.tolist())]


def tokenize(texts: Sequence[str], cp: np.ndarray | None = None, *, keep_values: bool = False) -> Tokens:
    """Tokenise a batch; every comment's tokens are preceded by one separator token.

    The texts must not contain NUL (text preparation removes it): it separates comments.
    ``cp``, if given, is ``codepoints("\\x00" + "\\x00".join(texts))``, already computed.
    """
    if cp is None:
        cp = codepoints("\x00" + "\x00".join(texts))
    n = len(cp)
    cls = _CLASS.take(cp, mode="clip")  # beyond the BMP: U+FFFF's class, none
    astral = np.flatnonzero(cp > 0xFFFF) if n and int(cp.max()) > 0xFFFF else None
    val = _values(cp, astral)
    if astral is not None:
        a = cp[astral]
        cls[astral] = np.where((a >= 0x1F000) & (a <= 0x1FAFF), _SINGLE, _OTHER)
    _join_apostrophes(cp, cls)
    # One-character tokens (!, ?, emoji, the separator) take another class value at odd
    # positions, so that two in a row still differ: every token boundary is then a change of
    # class, found with one comparison of neighbours.
    single = np.flatnonzero(cls >= _SINGLE)
    cls[single[(single & 1) == 1]] += _ODD
    is_token = cls != _OTHER
    change = np.ones(n + 1, dtype=bool)
    np.not_equal(cls[1:], cls[:-1], out=change[1:-1])
    starts = np.flatnonzero(is_token & change[:-1])
    ends = np.flatnonzero(is_token & change[1:]) + 1
    hashes = _span_hashes(val, starts, ends)
    first = cls[starts]
    doc = np.cumsum((first == _SEP) | (first == _SEP + _ODD)) - 1
    return Tokens(hashes=hashes, starts=starts, ends=ends, doc=doc, values=val if keep_values else None)


def _join_apostrophes(cp: np.ndarray, cls: np.ndarray) -> None:
    """Turn the apostrophes that join two letter runs into letters, in place.

    In a chain of runs joined by apostrophes (``rock'n'roll``) only every other apostrophe
    joins, as a left-to-right regex match with one optional apostrophe would take them.
    """
    ap = np.flatnonzero(cp == _APOSTROPHE)
    if not len(ap):
        return
    ap = ap[(ap > 0) & (ap < len(cp) - 1)]
    ap = ap[(cls[ap - 1] == _LETTER) & (cls[ap + 1] == _LETTER)]
    if not len(ap):
        return
    if len(ap) > 1:
        # Two joining apostrophes are in one chain when only letters lie between them.
        between = ap[1:] - ap[:-1] - 1
        letters = np.add.reduceat(cls == _LETTER, np.r_[ap[:-1] + 1, ap[-1]], dtype=np.int64)
        same = letters[: len(between)] == between
        new_chain = np.r_[True, ~same]
        first = np.flatnonzero(new_chain)
        k = np.arange(len(ap)) - first[np.cumsum(new_chain) - 1]
        ap = ap[k % 2 == 0]
    cls[ap] = _LETTER


class HashIndex:
    """A read-only map from nonzero uint64 keys to integers, probed with array operations.

    Open addressing with linear probing at a load of at most 1/4: at 1/2, linear probing's
    clusters made a lookup of an absent key (about half the bigrams of a comment) take several
    rounds of array operations; at 1/4 nearly every lookup ends at the first or second slot.
    Keys absent from the map give ``missing``. Keys below 2**32 are stored in 32 bits.
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray, missing: int = 0) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        self._narrow = bool(len(keys)) and int(keys.max()) < 2**32
        # Stored as ``value - missing``: a miss, multiplied by False, then reads as ``missing``.
        stored = np.asarray(values, dtype=np.int64) - missing
        if len(keys) and not keys.all():
            raise ValueError("key 0 is reserved for empty slots")
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._missing = missing
        small = not len(stored) or (stored.min() >= -(2**31) and stored.max() < 2**31)
        table_keys = np.zeros(1 << bits, dtype=np.uint64)
        table_values = np.zeros(1 << bits, dtype=np.int32 if small else np.int64)
        slot = self._home(keys)
        todo = np.arange(len(keys))
        while len(todo):
            free = table_keys[slot[todo]] == 0
            contenders = todo[free]
            taken, first = np.unique(slot[contenders], return_index=True)
            winners = contenders[first]
            table_keys[taken] = keys[winners]
            table_values[taken] = stored[winners]
            placed = np.zeros(len(keys), dtype=bool)
            placed[winners] = True
            todo = todo[~placed[todo]]
            slot[todo] = (slot[todo] + 1) & self._mask
        self._keys = table_keys.astype(np.uint32) if self._narrow else table_keys
        self._values = table_values

    def _home(self, keys: np.ndarray) -> np.ndarray:
        home: np.ndarray = ((keys * _MIX) >> self._shift).astype(np.int64)
        return home

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key (int64), or ``missing``."""
        keys = np.asarray(keys, dtype=np.uint64)
        slot = self._home(keys)
        found = self._keys[slot]
        hit = found == keys  # with 32-bit storage, a key of 2**32 or more never equals a slot
        out: np.ndarray = self._values[slot].astype(np.int64) * hit
        pending = np.flatnonzero(~hit & (found != 0))
        while len(pending):
            slot_p = (slot[pending] + 1) & self._mask
            slot[pending] = slot_p
            found_p = self._keys[slot_p]
            hit_p = found_p == keys[pending]
            out[pending[hit_p]] = self._values[slot_p[hit_p]]
            pending = pending[~hit_p & (found_p != 0)]
        if self._missing:
            out += self._missing
        return out
