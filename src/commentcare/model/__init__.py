"""The model: text preparation, features, the classifier, storage and training.

The estimators are scikit-learn estimators (``Preparer`` -> ``FeatureStack`` of ``WordNgrams``,
``MetaFeatures`` and ``Sentiment`` -> ``TemperatureScaled``); :func:`build_pipeline` puts them
together as the shipped model is built, and :func:`train` fits one from labelled files.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from commentcare.model._store import ModelCard, load_model, save_model, shipped_model_path

if TYPE_CHECKING:
    from commentcare.model._calibration import TemperatureScaled
    from commentcare.model._features import FeatureStack, MetaFeatures, Preparer, WordNgrams
    from commentcare.model._sentiment import Sentiment
    from commentcare.model._training import build_pipeline

__all__ = [
    "FeatureStack",
    "MetaFeatures",
    "ModelCard",
    "Preparer",
    "Sentiment",
    "TemperatureScaled",
    "WordNgrams",
    "build_pipeline",
    "load_model",
    "save_model",
    "shipped_model_path",
]

# Loaded on first use: they import scikit-learn, which ``import commentcare.model`` must not.
_LAZY = {
    "FeatureStack": "commentcare.model._features",
    "MetaFeatures": "commentcare.model._features",
    "Preparer": "commentcare.model._features",
    "WordNgrams": "commentcare.model._features",
    "Sentiment": "commentcare.model._sentiment",
    "TemperatureScaled": "commentcare.model._calibration",
    "build_pipeline": "commentcare.model._training",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'commentcare.model' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
