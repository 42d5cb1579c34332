"""API keys: where they come from, how a request presents them, and how they are compared.

Keys are secrets: they are compared in constant time, never logged, and never echoed back. A
server without keys accepts anyone, which is why it may only listen on loopback.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
from collections.abc import Iterable, Mapping

__all__ = ["ENV_KEYS", "KeyRing", "is_loopback", "keys_from_env"]

#: Extra keys, separated by commas or white space.
ENV_KEYS = "COMMENTCARE_SERVE_KEYS"


def keys_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """The keys in ``COMMENTCARE_SERVE_KEYS`` (commas or white space between them)."""
    value = (os.environ if environ is None else environ).get(ENV_KEYS, "")
    return [k for k in re.split(r"[\s,]+", value) if k]


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    name = host.strip("[]").lower()
    if name in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class KeyRing:
    """The accepted keys; empty means every request is accepted."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys = tuple(dict.fromkeys(k.encode("utf-8") for k in keys if k))

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:  # never the keys themselves
        return f"KeyRing({len(self._keys)} key(s))"

    def accepts(self, key: str | None) -> bool:
        """Whether ``key`` opens the door (any key, or none, when no keys are configured)."""
        if not self._keys:
            return True
        if not key:
            return False
        given = key.encode("utf-8", "surrogateescape")
        found = False
        for k in self._keys:  # no early exit: the time does not tell which key came close
            found |= hmac.compare_digest(given, k)
        return found

    def from_host(self, host: str | None) -> str | None:
        """The key of Akismet's older ``{key}.rest.akismet.com`` form, if the Host header has one."""
        if not host or not self._keys:
            return None
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        first, dot, rest = name.partition(".")
        if not dot or not rest:
            return None
        return first if self.accepts(first) else None
