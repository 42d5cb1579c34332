"""The model: text preparation, features, the classifier, storage and training."""

from commentcare.model._store import ModelCard, load_model, save_model, shipped_model_path

__all__ = ["ModelCard", "load_model", "save_model", "shipped_model_path"]
