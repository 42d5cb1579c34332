"""Model files: hash checked before unpickling, trust required from outside, versions checked."""

from __future__ import annotations

import json
import shutil

import pytest

from commentcare import ModelError, Moderator, UntrustedModelError
from commentcare.model import load_model, shipped_model_path


@pytest.fixture
def model_copy(tmp_path):
    src = shipped_model_path()
    for name in ("model.joblib", "model.json"):
        shutil.copy(src / name, tmp_path / name)
    return tmp_path


def test_shipped_model_loads_and_is_verified():
    m = load_model()
    assert m.card.sha256 and m.card.version


def test_a_model_from_outside_needs_trust(model_copy):
    with pytest.raises(UntrustedModelError, match="pickle"):
        load_model(model_copy)
    assert load_model(model_copy, trusted=True).card.version
    assert Moderator(model_copy, trusted=True).classify("thanks!").label


def test_a_tampered_model_is_refused_before_unpickling(model_copy, monkeypatch):
    with open(model_copy / "model.joblib", "ab") as fh:
        fh.write(b"\x00evil")
    import joblib

    def boom(*a, **k):
        raise AssertionError("unpickled a tampered file")

    monkeypatch.setattr(joblib, "load", boom)
    with pytest.raises(ModelError, match="does not match the card"):
        load_model(model_copy, trusted=True)


def test_a_model_from_another_scikit_learn_is_refused(model_copy):
    card = json.loads((model_copy / "model.json").read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    (model_copy / "model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="retrain"):
        load_model(model_copy, trusted=True)


def test_missing_files_are_clear(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path, trusted=True)
    (tmp_path / "model.joblib").write_bytes(b"x")
    with pytest.raises(ModelError, match="card is missing"):
        load_model(tmp_path, trusted=True)


def test_moderator_is_lazy(tmp_path):
    m = Moderator(tmp_path / "nothing-here")
    assert "nothing-here" in repr(m)  # constructing loads nothing
    with pytest.raises(ModelError):
        m.classify("hi")
