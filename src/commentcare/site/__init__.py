"""Learning from a site: its past decisions (backtest), a model adapted to it, labels to ask for.

>>> from commentcare.site import backtest          # doctest: +SKIP
>>> result = backtest("export.xml", Moderator().review_many, site_name="Ridgeline")

The parts load lazily: reading decisions needs no model, adapting needs scikit-learn.
"""

from __future__ import annotations

from commentcare._lazy import lazy_getattr as _lazy_getattr
from commentcare.site._status import ExportCounts, SiteDecision, site_comments, site_decision

__all__ = [
    "AdaptResult",
    "BacktestResult",
    "ExportCounts",
    "SiteDecision",
    "SiteHead",
    "SiteLabels",
    "adapt_model",
    "backtest",
    "load_site_labels",
    "read_labelled",
    "site_comments",
    "site_decision",
    "suggest_labels",
    "write_suggestions",
]

_LAZY = {
    "BacktestResult": "commentcare.site._backtest",
    "backtest": "commentcare.site._backtest",
    "AdaptResult": "commentcare.site._adapt",
    "SiteHead": "commentcare.site._head",
    "SiteLabels": "commentcare.site._adapt",
    "adapt_model": "commentcare.site._adapt",
    "load_site_labels": "commentcare.site._adapt",
    "read_labelled": "commentcare.site._adapt",
    "suggest_labels": "commentcare.site._suggest",
    "write_suggestions": "commentcare.site._suggest",
}


__getattr__ = _lazy_getattr(__name__, _LAZY, globals())
