"""The language check: its batch path equals the per-comment rule, and the rule's cases."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare.model._language import english_mask, looks_english
from commentcare.model._text import prepare_batch
from conftest import ROOT

WORDS = [
    "the",
    "is",
    "not",
    "good",
    "el",
    "la",
    "muy",
    "bueno",
    "das",
    "ist",
    "nicht",
    "très",
    "très",
    "и",
    "это",
]
WORDS += ["don't", "do'nt", "x", "123", "😀", "Gracias", "THE", "c'est", "rock'n'roll", "!"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join), max_size=8))
def test_the_batch_path_equals_the_rule(texts: list[str]) -> None:
    batch = prepare_batch(texts)
    assert english_mask(batch).tolist() == [looks_english(t) for t in batch.texts]


def test_the_batch_path_equals_the_rule_on_the_corpus() -> None:
    with open(ROOT / "corpus" / "corpus.jsonl", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    batch = prepare_batch(texts)
    assert english_mask(batch).tolist() == [looks_english(t) for t in batch.texts]


def test_cases() -> None:
    assert looks_english("Not good.") and looks_english("hello there") and looks_english("😀😀")
    assert looks_english("Tracking stuck since Monday.")  # telegraphic English has few function words
    for english in [
        "Dan and Ben",
        "Ben and Dan met Sue",
        "Ton of bugs, die already",
        "Ben & Jerry's, ta very much",
    ]:
        assert looks_english(english), english
    assert not looks_english("Me encanta este producto, es muy bueno")
    assert not looks_english("Le service était très lent et personne ne répond")
    assert not looks_english("Купить диплом недорого")
