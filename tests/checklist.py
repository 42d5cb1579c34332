"""Behavioural tests in the style of CheckList (Ribeiro et al., ACL 2020): templated cases per capability.

Each case is a text and the outcomes that count as right. Outcomes are the four labels or
``none`` (the model says the comment fits none of the four), and a few cases accept "negative"
(complaint or rant) where the labelling guide allows either. The templates are written here from
the labelling guide, never from an evaluation set.

    python tests/checklist.py      # print the pass rate per capability for the shipped model
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product

NEGATIVE = frozenset({"complaint", "rant"})


@dataclass(frozen=True)
class Case:
    capability: str
    text: str
    expected: frozenset[str]


def _cases(
    capability: str, templates: list[str], fills: dict[str, list[str]], expected: set[str]
) -> Iterator[Case]:
    keys = list(fills)
    for template in templates:
        used = [k for k in keys if "{" + k + "}" in template]
        for values in product(*(fills[k] for k in used)):
            yield Case(capability, template.format(**dict(zip(used, values))), frozenset(expected))


THINGS = [
    "the service",
    "the food",
    "the delivery",
    "this update",
    "the app",
    "the recipe",
    "the checkout",
    "the hotel room",
]
PRODUCTS = ["headphones", "blender", "jacket", "charger", "kettle", "backpack"]
BRANDS = ["@SkylarkAir", "@FennickBank", "@Hopdrop", "@QuillNotes", "@OstrellFibre"]
NAMES = ["Priya", "Tom", "Aisha", "Mateo", "Chen", "Olga", "Kwame", "Siobhan"]


def cases() -> list[Case]:
    out: list[Case] = []
    # Negation: negated praise reads negative; negated criticism reads as praise.
    out += _cases(
        "negation",
        ["{thing} was not good.", "I was not impressed with {thing}.", "Not happy with {thing} at all."],
        {"thing": THINGS},
        NEGATIVE,
    )
    out += _cases(
        "negation",
        [
            "Can't fault {thing}, really.",
            "No complaints about {thing}, it was great.",
            "Never had a problem with {thing}, love it.",
        ],
        {"thing": THINGS},
        {"praise"},
    )
    # Sarcasm counts by its meaning.
    out += _cases(
        "sarcasm",
        [
            "Great, third time my order is 'on its way'. Thanks a lot.",
            "Oh wonderful, {thing} broke again. Thanks a lot.",
            "Love waiting two hours for {thing}. Brilliant job.",
            "Thanks for nothing, {thing} still doesn't work.",
        ],
        {"thing": THINGS},
        NEGATIVE,
    )
    # Handles and numbers in ordinary messages are not spam.
    out += _cases(
        "handles and numbers",
        [
            "{brand} I called 1-800-555-0142 twice and nobody picked up.",
            "{brand} order #{num} still hasn't arrived, it's been 9 days.",
            "{brand} my flight SK{num} was cancelled and no one told us.",
        ],
        {"brand": BRANDS, "num": ["4471", "88120", "302"]},
        NEGATIVE,
    )
    out += _cases(
        "handles and numbers",
        ["{brand} thanks, the refund for order #{num} came through today!"],
        {"brand": BRANDS, "num": ["4471", "88120", "302"]},
        {"praise"},
    )
    # Plain questions and greetings fit none of the four.
    out += _cases(
        "questions",
        [
            "Is there a vegan version of {thing}?",
            "Which {product} did you use for this?",
            "Do you ship the {product} to Canada?",
            "What time does the store open on Sunday?",
        ],
        {"thing": ["the recipe", "this cake", "the menu"], "product": PRODUCTS},
        {"none"},
    )
    out += _cases(
        "questions",
        ["hello there", "Morning all!", "Happy Friday everyone", "Following for part two."],
        {},
        {"none"},
    )
    out += _cases(
        "questions",
        ["Why was I charged twice for my {product}?", "Why does the app log me out every five minutes?"],
        {"product": PRODUCTS},
        {"complaint"},
    )
    # Typos and slang.
    out += _cases(
        "typos",
        ["the {product} is realy bad, broke aftr 2 days", "ths {product} is trash tbh dont buy"],
        {"product": PRODUCTS},
        NEGATIVE,
    )
    out += _cases("typos", ["luv this {product} sooo much thx"], {"product": PRODUCTS}, {"praise"})
    # Emoji.
    out += _cases(
        "emoji",
        ["Love this {product} 😍😍", "Best {product} ever ❤️", "This {product} made my day 🙌"],
        {"product": PRODUCTS},
        {"praise"},
    )
    out += _cases(
        "emoji",
        [
            "My {product} broke after one day 😡",
            "{thing} was awful 👎",
            "Still waiting for my {product} 😤 two weeks now",
        ],
        {"product": PRODUCTS, "thing": ["The food", "The delivery"]},
        NEGATIVE,
    )
    # Length: very short verdicts.
    out += _cases(
        "length", ["Not good.", "meh", "Disappointing.", "Too salty.", "Still not delivered."], {}, NEGATIVE
    )
    out += _cases("length", ["Love it!", "So good!!", "Thank you!", "10/10", "Brilliant."], {}, {"praise"})
    # Names do not change the verdict.
    out += _cases(
        "names",
        [
            "Thanks {name}, your tips fixed my {product} problem!",
            "{name} was so helpful at the desk today, thank you.",
        ],
        {"name": NAMES, "product": PRODUCTS},
        {"praise"},
    )
    out += _cases(
        "names",
        ["{name} at your desk was rude to me and refused to check my booking."],
        {"name": NAMES},
        NEGATIVE,
    )
    # A link inside a genuine complaint does not make it spam.
    out += _cases(
        "link in a complaint",
        [
            "My {product} arrived broken, photo here: https://pic.example/{code}",
            "The tracking page https://track.example/{code} hasn't moved in a week.",
            "The download link on https://shop.example/{code} is dead, I paid for it.",
        ],
        {"product": PRODUCTS, "code": ["a8Kd2", "x71"]},
        {"complaint"},
    )
    # And spam is still spam.
    out += _cases(
        "spam",
        [
            "Check out my channel for more {product} reviews!!",
            "Buy cheap {product} at deals-{code}.example, order today!",
            "sub to me I do {product} unboxings",
        ],
        {"product": PRODUCTS, "code": ["best", "top"]},
        {"spam"},
    )
    return out


def outcome(classification: object) -> str:
    """The outcome a case is judged on: ``none`` when it wins, else the label."""
    c = classification
    return "none" if c.other >= c.confidence else c.label.value  # type: ignore[attr-defined]


def pass_rates(moderator: object) -> dict[str, dict[str, float | int]]:
    """Pass rate and count per capability."""
    all_cases = cases()
    got = [outcome(c) for c in moderator.classify_many([k.text for k in all_cases])]  # type: ignore[attr-defined]
    rates: dict[str, dict[str, float | int]] = {}
    for capability in dict.fromkeys(k.capability for k in all_cases):
        idx = [i for i, k in enumerate(all_cases) if k.capability == capability]
        passed = sum(got[i] in all_cases[i].expected for i in idx)
        rates[capability] = {"n": len(idx), "pass_rate": round(passed / len(idx), 4)}
    return rates


if __name__ == "__main__":
    import json

    from commentcare import Moderator

    print(json.dumps(pass_rates(Moderator()), indent=2))  # noqa: T201
