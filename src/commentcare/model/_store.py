"""Saving and loading models, with the checks a pickle needs.

A joblib file is a pickle: loading one runs code, and it is only valid under the scikit-learn
version that wrote it. So the card beside the model records the SHA-256 of the model file and the
library versions; the hash is checked *before* anything is unpickled, a file from outside the
package is loaded only when the caller says it trusts it, and a version mismatch is refused with
a message saying how to retrain.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from commentcare._errors import ModelError, UntrustedModelError

__all__ = ["LoadedModel", "ModelCard", "load_model", "save_model", "sha256_file", "shipped_model_path"]

log = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
CARD_FILE = "model.json"


@dataclass(frozen=True)
class ModelCard:
    """What produced a model and how good it is; stored as JSON beside the model file."""

    data: Mapping[str, Any]

    @property
    def version(self) -> str:
        return str(self.data.get("model_version", "unknown"))

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.data.get("classes", ()))

    @property
    def unsure_threshold(self) -> float:
        return float(self.data.get("unsure_threshold", 0.5))

    @property
    def sha256(self) -> str:
        return str(self.data.get("sha256", ""))


@dataclass(frozen=True)
class LoadedModel:
    pipeline: Any  # a fitted sklearn Pipeline
    card: ModelCard
    path: Path


def _pinned_digest(value: str) -> str:
    digest = value.strip().lower()
    if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
        raise ModelError(f"sha256 must be 64 hexadecimal digits, got {value[:80]!r}")
    return digest


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def shipped_model_path() -> Path:
    """The directory of the model that ships inside the package."""
    return Path(str(resources.files("commentcare").joinpath("data")))


def _resolve(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    p = Path(path)
    if p.is_dir():
        return p / MODEL_FILE, p / CARD_FILE
    if p.suffix == ".json":
        return p.with_suffix(".joblib"), p
    return p, p.with_suffix(".json")


def load_model(
    path: str | os.PathLike[str] | None = None, *, trusted: bool = False, sha256: str | None = None
) -> LoadedModel:
    """Load and verify a model. ``path`` None means the shipped one (always trusted).

    What "trusted" means: the model file is a pickle, and unpickling runs whatever code it names.
    The card's SHA-256 only shows that the file and the card beside it belong together; anyone who
    can write that folder can rewrite both. So a model from outside the package is loaded only
    when the caller vouches for it, in one of two ways:

    * ``sha256=`` (the hex digest you recorded when you made or received the file): the bytes
      must have exactly that digest, whatever the folder holds. This is the safe way;
    * ``trusted=True``: you trust whoever can write the folder, now and later.

    The bytes that are hashed are the bytes that are unpickled (read once), so a file swapped
    between the check and the load is never run.
    """
    import sklearn

    if path is None:
        model_file, card_file = _resolve(shipped_model_path())
        trusted = True
    else:
        model_file, card_file = _resolve(path)
    if not model_file.is_file():
        raise ModelError(f"{model_file}: no model file here")
    if not card_file.is_file():
        raise ModelError(f"{card_file}: the model card is missing; a model is only loaded with its card")
    pinned = _pinned_digest(sha256) if sha256 is not None else None
    if not trusted and pinned is None:
        raise UntrustedModelError(
            f"{model_file}: a model file is a pickle and loading it runs code; pass trusted=True "
            "(CLI: --trust-model) only for a file you made or got from a source you trust"
        )
    try:
        card = ModelCard(json.loads(card_file.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{card_file}: unreadable model card: {exc}") from exc
    try:
        data = model_file.read_bytes()
    except OSError as exc:
        raise ModelError(f"{model_file}: cannot read: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if pinned is not None and digest != pinned:
        raise UntrustedModelError(
            f"{model_file}: SHA-256 {digest[:16]}… is not the pinned {pinned[:16]}…; refusing to unpickle it"
        )
    if not card.sha256 or digest != card.sha256:
        raise ModelError(
            f"{model_file}: SHA-256 {digest[:16]}… does not match the card ({card.sha256[:16] or 'none'}…); "
            "the file was changed or does not belong to this card, refusing to unpickle it"
        )
    wrote = str(card.data.get("versions", {}).get("scikit-learn", ""))
    if wrote.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(
            f"{model_file}: written with scikit-learn {wrote or '?'} but {sklearn.__version__} is installed; "
            "install the version the model was made with, or retrain it with `commentcare train`"
        )
    import joblib

    try:
        pipeline = joblib.load(io.BytesIO(data))
    except Exception as exc:  # unpickling can raise nearly anything
        raise ModelError(f"{model_file}: could not load the model: {exc}") from exc
    log.debug("loaded model %s from %s", card.version, model_file)
    return LoadedModel(pipeline=pipeline, card=card, path=model_file)


def save_model(pipeline: Any, card: dict[str, Any], directory: str | os.PathLike[str]) -> ModelCard:
    """Write ``model.joblib`` and ``model.json`` atomically; return the card as written.

    The card gets the file's SHA-256, and the model version is named after it.
    """
    import joblib

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".model-", suffix=".joblib")
    os.close(fd)
    try:
        joblib.dump(pipeline, tmp, compress=("zlib", 3))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model is package data, readable by all
        digest = sha256_file(Path(tmp))
        # The version names this exact file: the same data with other code is another model.
        package = str(card.get("versions", {}).get("commentcare", "0"))
        card = {**card, "sha256": digest, "model_version": f"{package}+{digest[:10]}"}
        tmp_card = Path(tmp).with_suffix(".json.tmp")
        tmp_card.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, out / MODEL_FILE)
        os.replace(tmp_card, out / CARD_FILE)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return ModelCard(card)
