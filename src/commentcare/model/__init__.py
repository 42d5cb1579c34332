"""The model: text preparation, features, the classifier, storage and training."""

from commentcare.model._feedback import FeedbackRows, feedback_examples
from commentcare.model._store import ModelCard, load_model, save_model, shipped_model_path

__all__ = ["FeedbackRows", "ModelCard", "feedback_examples", "load_model", "save_model", "shipped_model_path"]
