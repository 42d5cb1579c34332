"""Reply templates: readable TOML packs, validated on load, rendered without holes.

A pack has a ``[defaults]`` table (the words used when a value is missing); for each situation
(:data:`SITUATIONS`) a list of variants, each optionally limited to some kinds of post; and
phrase tables (:data:`PHRASE_TABLES`) for the sentences a draft is built from: the next step of a
complaint, the follow-up question of a thank-you, how a question will be answered. A variant is
picked from a hash of the comment's id (the reviewer then rotates away from a draft it has already
written in the batch), so a page of replies does not read canned and the same input always gets
the same drafts.

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

__all__ = ["PHRASE_TABLES", "PLACEHOLDERS", "SITUATIONS", "ReplyPack", "Template"]

PLACEHOLDERS = {
    "first_name": "the commenter's first name",
    "author": "the commenter's display name",
    "post_title": "the title of the post the comment is under",
    "site_name": "the name of the site or brand",
    "contact": 'where to continue privately, as a phrase ("at help@example.com", "by private message")',
    "promise": "the response-time promise the site makes (Policy.promise); none by default",
    "problem": 'the specific problem, named in our words ("order #4417 arriving damaged")',
    "problem_quote": "the sentence of the comment that raises the problem",
    "liked": 'what the reader liked, in our words ("the photos of Lisbon")',
    "thing": 'the product or thing the comment names ("the blender")',
    "waited": 'how long the person says they waited ("5 days")',
    "asked": "the question the comment asks, as a whole sentence",
    "missing": 'what a complaint did not give and we need ("order number")',
    "next_step": "the next step of a complaint, from the [steps] phrases",
    "follow_up": "a follow-up question that fits the post, from the [follow_up] phrases",
    "answer": "how the question will be answered, from the [answer] phrases",
}
#: The situations a pack drafts for. ``civility`` is a rant aimed at another reader; ``question``
#: a comment that fits none of the four but asks something; ``neutral`` a comment the model is
#: unsure of. A pack must have the first three; the others fall back to the default pack's.
SITUATIONS = ("complaint", "praise", "rant", "civility", "question", "neutral")
_REQUIRED = ("complaint", "praise", "rant")
#: Phrase tables: the keys a reviewer looks up in each (a missing key falls back to "default").
PHRASE_TABLES = {
    "steps": ("emailed", "called", "chatted", "messaged", "ticket", "tech_steps", "ask", "default"),
    "follow_up": ("howto", "recipe", "news", "personal", "product", "media", "photo", "help", "general"),
    "answer": ("post", "default"),
}
_BUILTIN_DEFAULTS = {
    "first_name": "there",
    "author": "there",
    "post_title": "this post",
    "site_name": "us",
    "contact": "by private message",
    "problem": "this",
    "problem_quote": "",
    "liked": "it",
    "thing": "it",
    "missing": "details",
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
    #: The kinds of post the variant is written for; empty: any but a personal or sensitive post.
    kinds: tuple[str, ...] = ()
    #: The placeholders the template reads, sorted: a rendering depends on their values alone.
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: The placeholders outside optional segments: without a value they fall back to a default.
    required: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(sorted(self.placeholders)))
        object.__setattr__(self, "required", frozenset(p.name for p in self.parts if p.name))

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

    def fits(self, post_kind: str) -> bool:
        """Whether the variant suits a post of this kind (see ``kinds``)."""
        return post_kind in self.kinds if self.kinds else post_kind != "personal"


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
    # surrogatepass: a lone surrogate (text built in Python, not read from a file) is still a key
    return int.from_bytes(_blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") % k


class ReplyPack:
    """A validated set of reply templates. Load the default with :meth:`default`."""

    def __init__(
        self,
        templates: Mapping[str, list[Template]],
        defaults: Mapping[str, str],
        source: str,
        phrases: Mapping[str, Mapping[str, list[Template]]] | None = None,
    ) -> None:
        self.templates = {k: list(v) for k, v in templates.items()}
        self.defaults = {**_BUILTIN_DEFAULTS, **defaults}
        self.source = source
        self.phrases = {t: {k: list(v) for k, v in keys.items()} for t, keys in (phrases or {}).items()}
        self._variants: dict[tuple[str, str], list[Template]] = {}  # variants(), once per kind

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
            if variants is None and situation not in _REQUIRED:
                continue
            if not isinstance(variants, list) or not variants:
                raise TemplateError(f"needs at least one [[{situation}]] template", source=source)
            templates[situation] = _variants(variants, situation, source)
        phrases: dict[str, dict[str, list[Template]]] = {}
        for table, keys in PHRASE_TABLES.items():
            found = data.get(table, {})
            if not isinstance(found, dict):
                raise TemplateError(f"[{table}] must be a table of lists of strings", source=source)
            unknown = set(found) - set(keys)
            if unknown:
                raise TemplateError(
                    f"[{table}] has unknown keys: {', '.join(sorted(unknown))}; known: {', '.join(keys)}",
                    source=source,
                )
            for key, texts in found.items():
                if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
                    raise TemplateError(f"[{table}] {key} must be a non-empty list of strings", source=source)
                phrases.setdefault(table, {})[key] = [
                    Template(
                        id=f"{table}.{key}.{i}", source=f"{source} [{table}.{key}]", parts=_parse(t, source)
                    )
                    for i, t in enumerate(texts, 1)
                ]
        extra = set(data) - set(SITUATIONS) - set(PHRASE_TABLES) - {"defaults", "pack"}
        if extra:
            raise TemplateError(f"unknown sections: {', '.join(sorted(extra))}", source=source)
        return cls(templates, defaults, source, phrases)

    def variants(self, situation: str, post_kind: str = "general") -> list[Template]:
        """The variants of a situation that suit a kind of post (all of them when none is marked)."""
        cached = self._variants.get((situation, post_kind))
        if cached is not None:
            return cached
        variants = self.templates.get(situation)
        if variants is None:
            variants = _default_pack().templates.get(situation, [])
        fitting = [t for t in variants if t.fits(post_kind)] or variants
        self._variants[(situation, post_kind)] = fitting
        return fitting

    def phrase(
        self, table: str, key: str, salt: str, have: frozenset[str] | set[str] | None = None
    ) -> Template | None:
        """The phrase of ``table`` for ``key`` (else its "default"), picked by hashing ``salt``.

        With ``have`` (the placeholders that have a value), only phrases whose required
        placeholders all have one are picked, when there are such phrases.
        """
        keys = self.phrases.get(table)
        if keys is None and self is not _default_pack():
            keys = _default_pack().phrases.get(table)
        options = (keys or {}).get(key) or (keys or {}).get("default")
        if not options:
            return None
        if have is not None:
            options = [t for t in options if t.required <= have] or options
        return options[variant_start(f"{table}.{key}.{salt}", len(options))]

    def choose(self, situation: str, key: str, n: int = 1, post_kind: str = "general") -> list[Template]:
        """``n`` distinct variants for a situation and kind of post, starting at one picked by
        hashing ``key`` and going round the list."""
        variants = self.variants(situation, post_kind)
        start = variant_start(key, len(variants)) if variants else 0
        return (variants * 2)[start : start + min(n, len(variants))]

    def render(self, template: Template, values: Mapping[str, str | None]) -> Reply:
        text = self.render_text(template, values)
        return Reply(text=text, html=html.escape(text).replace("\n", "<br>\n"), template=template.id)

    def render_text(self, template: Template, values: Mapping[str, str | None]) -> str:
        """The words of a template with ``values`` put in (a phrase, or a whole draft)."""
        clean = {k: " ".join(v.split()) for k, v in values.items() if v and v.strip()}
        return _tidy(_render(template.parts, clean, self.defaults))


def _variants(variants: list[Any], situation: str, source: str) -> list[Template]:
    out: list[Template] = []
    seen: set[str] = set()
    for i, v in enumerate(variants, 1):
        if not isinstance(v, dict) or not isinstance(v.get("text"), str) or not v["text"].strip():
            raise TemplateError(f"[[{situation}]] template #{i} needs a non-empty 'text'", source=source)
        vid = str(v.get("id", i))
        if vid in seen:
            raise TemplateError(f"[[{situation}]] template id {vid!r} is used twice", source=source)
        seen.add(vid)
        kinds = v.get("kinds", [])
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise TemplateError(
                f"[[{situation}]] template {vid!r}: kinds must be a list of strings", source=source
            )
        where = f"{source} [{situation}.{vid}]"
        out.append(
            Template(
                id=f"{situation}.{vid}", source=where, parts=_parse(v["text"], where), kinds=tuple(kinds)
            )
        )
    return out


_DEFAULT: list[ReplyPack] = []


def _default_pack() -> ReplyPack:
    """The default pack, loaded once: a custom pack borrows the situations and phrases it lacks."""
    if not _DEFAULT:
        _DEFAULT.append(ReplyPack.default())
    return _DEFAULT[0]
