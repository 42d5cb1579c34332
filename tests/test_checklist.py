"""CheckList-style behavioural tests: each capability's pass rate holds at its measured level.

The rates were measured on the shipped model and are pinned in ``quality/checklist.json`` (also
in the model card). A change that lowers one fails here; raising one is an edit of that file.
"""

from __future__ import annotations

import json

from checklist import cases, pass_rates
from commentcare import Moderator
from conftest import ROOT

PINNED = json.loads((ROOT / "quality" / "checklist.json").read_text(encoding="utf-8"))


def test_there_are_at_least_300_cases_over_every_capability() -> None:
    all_cases = cases()
    assert len(all_cases) >= 300
    assert {c.capability for c in all_cases} == set(PINNED["pass_rates"])


def test_every_capability_holds_its_pass_rate(moderator: Moderator) -> None:
    rates = pass_rates(moderator)
    low = {
        name: (rates[name]["pass_rate"], pinned)
        for name, pinned in PINNED["pass_rates"].items()
        if rates[name]["pass_rate"] < pinned
    }
    assert not low, f"pass rates below their pinned level (measured, pinned): {low}"
