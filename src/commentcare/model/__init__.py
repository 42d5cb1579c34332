"""The model: text preparation, features, the classifier, storage and training.

Training and evaluation: :func:`train` fits a model from labelled files and :func:`save_model`
writes it; :func:`load_labelled`, :func:`load_public_rows`, :func:`dev_split` and :func:`evaluate_labelled`
read labelled rows and score a model on them. Text preparation (:func:`prepare`, :func:`link_domain`) and the language check
(:func:`looks_english`) are public for the other packages.

The estimators are scikit-learn estimators (``Preparer`` -> ``FeatureStack`` of ``WordNgrams``,
``MetaFeatures`` and ``Sentiment`` -> ``TemperatureScaled``); :func:`build_pipeline` puts them
together as the shipped model is built, and :func:`train` fits one from labelled files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commentcare._lazy import lazy_getattr as _lazy_getattr
from commentcare.model._feedback import FeedbackRows, feedback_examples
from commentcare.model._store import ModelCard, load_model, save_model, shipped_model_path

if TYPE_CHECKING:
    from commentcare.model._calibration import TemperatureScaled
    from commentcare.model._classifier import BATCH_SIZE, Classifier, as_comment, batched, refuse_blank
    from commentcare.model._evaluation import evaluate_labelled
    from commentcare.model._features import FeatureStack, MetaFeatures, Preparer, WordNgrams
    from commentcare.model._language import looks_english
    from commentcare.model._sentiment import Sentiment, load_lexicon, words_of
    from commentcare.model._text import Prepared, PreparedBatch, link_domain, prepare, prepare_batch
    from commentcare.model._training import (
        Example,
        build_pipeline,
        dev_split,
        expected_calibration_error,
        load_labelled,
        load_public_rows,
        predicted_outcomes,
        to_xy,
        train,
    )

__all__ = [
    "BATCH_SIZE",
    "Classifier",
    "Example",
    "FeatureStack",
    "FeedbackRows",
    "MetaFeatures",
    "ModelCard",
    "Prepared",
    "PreparedBatch",
    "Preparer",
    "Sentiment",
    "TemperatureScaled",
    "WordNgrams",
    "as_comment",
    "batched",
    "build_pipeline",
    "dev_split",
    "evaluate_labelled",
    "expected_calibration_error",
    "feedback_examples",
    "link_domain",
    "load_labelled",
    "load_lexicon",
    "load_model",
    "load_public_rows",
    "looks_english",
    "predicted_outcomes",
    "prepare",
    "prepare_batch",
    "refuse_blank",
    "save_model",
    "shipped_model_path",
    "to_xy",
    "train",
    "words_of",
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
    "BATCH_SIZE": "commentcare.model._classifier",
    "Classifier": "commentcare.model._classifier",
    "as_comment": "commentcare.model._classifier",
    "batched": "commentcare.model._classifier",
    "refuse_blank": "commentcare.model._classifier",
    "evaluate_labelled": "commentcare.model._evaluation",
    "load_lexicon": "commentcare.model._sentiment",
    "words_of": "commentcare.model._sentiment",
    "expected_calibration_error": "commentcare.model._training",
    "load_public_rows": "commentcare.model._training",
    "predicted_outcomes": "commentcare.model._training",
    "to_xy": "commentcare.model._training",
    "looks_english": "commentcare.model._language",
    "Prepared": "commentcare.model._text",
    "PreparedBatch": "commentcare.model._text",
    "link_domain": "commentcare.model._text",
    "prepare": "commentcare.model._text",
    "prepare_batch": "commentcare.model._text",
    "Example": "commentcare.model._training",
    "dev_split": "commentcare.model._training",
    "load_labelled": "commentcare.model._training",
    "train": "commentcare.model._training",
}


__getattr__ = _lazy_getattr(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
