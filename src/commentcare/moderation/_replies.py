"""Reply templates: readable TOML packs, validated on load, rendered without holes.

A pack has a ``[defaults]`` table (the words used when a value is missing) and, for each
situation (``complaint``, ``praise``, ``rant``), a list of variants. A variant is picked from a
hash of the comment's id, so a page of replies does not read canned and the same comment always
gets the same draft.

Template syntax, kept small on purpose:

* ``{name}`` is a placeholder; the known names are in :data:`PLACEHOLDERS`.
* ``[[ ... ]]`` is an optional segment, dropped when any placeholder in it has no value
  (``Thanks[[, {first_name}]]!`` reads "Thanks!" for an anonymous reader).
* ``{{`` and ``}}`` are literal braces.

Values are substituted in one pass and never parsed again, so a name like ``{site_name}`` or
``<script>`` in a comment stays inert text; the HTML rendering escapes everything.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from commentcare._errors import TemplateError
from commentcare._types import Reply

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["PLACEHOLDERS", "SITUATIONS", "ReplyPack", "Template"]

PLACEHOLDERS = {
    "first_name": "the commenter's first name",
    "author": "the commenter's display name",
    "post_title": "the title of the post the comment is under",
    "site_name": "the name of the site or brand",
    "contact": "where to continue privately (an e-mail address or a page)",
    "problem": 'the specific problem, named in our words ("the double charge")',
    "problem_quote": "the sentence of the comment that raises the problem",
    "liked": "what the reader said they liked, in their words",
}
SITUATIONS = ("complaint", "praise", "rant")
_BUILTIN_DEFAULTS = {
    "first_name": "there",
    "author": "there",
    "post_title": "this post",
    "site_name": "us",
    "contact": "by e-mail",
    "problem": "this",
    "problem_quote": "",
    "liked": "it",
}

_blake2b = hashlib.blake2b
_TOKEN = re.compile(r"\{\{|\}\}|\[\[|\]\]|\{([A-Za-z_][A-Za-z0-9_]*)\}|\{|\}")


@dataclass(frozen=True, slots=True)
class _Part:
    literal: str = ""
    name: str | None = None
    optional: tuple[_Part, ...] | None = None


@dataclass(frozen=True, slots=True)
class Template:
    id: str  # "<situation>.<variant id>"
    source: str
    parts: tuple[_Part, ...]
    #: The placeholders the template reads, sorted: a rendering depends on their values alone.
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(sorted(self.placeholders)))

    @property
    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for p in self.parts:
            if p.name:
                names.add(p.name)
            for q in p.optional or ():
                if q.name:
                    names.add(q.name)
        return names


def _parse(text: str, where: str) -> tuple[_Part, ...]:
    parts: list[_Part] = []
    stack: list[list[_Part]] = [parts]
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            stack[-1].append(_Part(literal=text[pos : m.start()]))
        tok = m.group(0)
        pos = m.end()
        if tok == "{{":
            stack[-1].append(_Part(literal="{"))
        elif tok == "}}":
            stack[-1].append(_Part(literal="}"))
        elif tok == "[[":
            if len(stack) > 1:
                raise TemplateError("optional segments [[ ]] cannot be nested", source=where)
            stack.append([])
        elif tok == "]]":
            if len(stack) == 1:
                raise TemplateError("']]' without a matching '[['", source=where)
            seg = stack.pop()
            stack[-1].append(_Part(optional=tuple(seg)))
        elif m.group(1):
            name = m.group(1)
            if name not in PLACEHOLDERS:
                raise TemplateError(
                    f"unknown placeholder {{{name}}}; known: {', '.join(sorted(PLACEHOLDERS))}", source=where
                )
            stack[-1].append(_Part(name=name))
        else:
            raise TemplateError(
                f"stray {tok!r} at character {m.start()} (write {tok * 2} for a literal brace)", source=where
            )
    if len(stack) > 1:
        raise TemplateError("'[[' without a matching ']]'", source=where)
    if pos < len(text):
        parts.append(_Part(literal=text[pos:]))
    return tuple(parts)


def _render(parts: tuple[_Part, ...], values: Mapping[str, str], defaults: Mapping[str, str]) -> str:
    out: list[str] = []
    for p in parts:
        if p.optional is not None:
            if all(values.get(q.name) for q in p.optional if q.name):
                out.append(_render(p.optional, values, defaults))
        elif p.name is not None:
            out.append(values.get(p.name) or defaults.get(p.name, ""))
        else:
            out.append(p.literal)
    return "".join(out)


_WS = re.compile(r"[ \t]{2,}|\t")  # single spaces are left alone: nothing to replace
_SPACE_PUNCT = re.compile(r"[ \t]+([,.!?;:])")
_SPACED_PUNCT = tuple(" " + c for c in ",.!?;:")  # after _WS, a tab never precedes punctuation


def _tidy(text: str) -> str:
    """Collapse the spaces a dropped segment leaves behind ("Hi , there" -> "Hi, there")."""
    text = text.strip()
    if "  " in text or "\t" in text:
        text = _WS.sub(" ", text)
    if any(p in text for p in _SPACED_PUNCT):
        text = _SPACE_PUNCT.sub(r"\1", text)
    return "\n".join(line.strip() for line in text.splitlines())


def variant_start(key: str, k: int) -> int:
    """The variant, of ``k``, that :meth:`ReplyPack.choose` starts at for ``key`` (stable across runs)."""
    return int.from_bytes(_blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") % k


class ReplyPack:
    """A validated set of reply templates. Load the default with :meth:`default`."""

    def __init__(
        self, templates: Mapping[str, list[Template]], defaults: Mapping[str, str], source: str
    ) -> None:
        self.templates = {k: list(v) for k, v in templates.items()}
        self.defaults = {**_BUILTIN_DEFAULTS, **defaults}
        self.source = source

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.templates.items())
        return f"ReplyPack({self.source!r}, {counts})"

    @classmethod
    def default(cls) -> ReplyPack:
        text = resources.files("commentcare.moderation").joinpath("replies.toml").read_text(encoding="utf-8")
        return cls.from_toml(text, source="commentcare/moderation/replies.toml")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ReplyPack:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"cannot read the reply pack: {exc}", source=str(p)) from exc
        return cls.from_toml(text, source=str(p))

    @classmethod
    def from_toml(cls, text: str, source: str = "<string>") -> ReplyPack:
        try:
            data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TemplateError(f"not valid TOML: {exc}", source=source) from exc
        defaults = data.get("defaults", {})
        if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
            raise TemplateError("[defaults] must be a table of strings", source=source)
        unknown = set(defaults) - set(PLACEHOLDERS)
        if unknown:
            raise TemplateError(
                f"[defaults] names unknown placeholders: {', '.join(sorted(unknown))}", source=source
            )
        templates: dict[str, list[Template]] = {}
        for situation in SITUATIONS:
            variants = data.get(situation)
            if not isinstance(variants, list) or not variants:
                raise TemplateError(f"needs at least one [[{situation}]] template", source=source)
            seen: set[str] = set()
            for i, v in enumerate(variants, 1):
                if not isinstance(v, dict) or not isinstance(v.get("text"), str) or not v["text"].strip():
                    raise TemplateError(
                        f"[[{situation}]] template #{i} needs a non-empty 'text'", source=source
                    )
                vid = str(v.get("id", i))
                if vid in seen:
                    raise TemplateError(f"[[{situation}]] template id {vid!r} is used twice", source=source)
                seen.add(vid)
                where = f"{source} [{situation}.{vid}]"
                templates.setdefault(situation, []).append(
                    Template(id=f"{situation}.{vid}", source=where, parts=_parse(v["text"], where))
                )
        extra = set(data) - set(SITUATIONS) - {"defaults", "pack"}
        if extra:
            raise TemplateError(f"unknown sections: {', '.join(sorted(extra))}", source=source)
        return cls(templates, defaults, source)

    def choose(self, situation: str, key: str, n: int = 1) -> list[Template]:
        """``n`` distinct variants for a situation, starting at one picked by hashing ``key``."""
        return self.variants_from(situation, variant_start(key, len(self.templates[situation])), n)

    def variants_from(self, situation: str, start: int, n: int) -> list[Template]:
        """``n`` distinct variants for a situation: ``start``, ``start + 1``, ... round the list."""
        variants = self.templates[situation]
        return (variants * 2)[start : start + min(n, len(variants))]

    def render(self, template: Template, values: Mapping[str, str | None]) -> Reply:
        clean = {k: " ".join(v.split()) for k, v in values.items() if v and v.strip()}
        text = _tidy(_render(template.parts, clean, self.defaults))
        return Reply(text=text, html=html.escape(text).replace("\n", "<br>\n"), template=template.id)
