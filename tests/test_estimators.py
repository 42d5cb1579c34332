"""Every estimator the project defines, against scikit-learn's conventions.

The numeric ones (the temperature-scaled classifier, the feature stack) run scikit-learn's whole
``parametrize_with_checks`` suite. The text transformers (Preparer, WordNgrams, MetaFeatures,
Sentiment) take a sequence of texts, as scikit-learn's own vectorisers do, and the suite skips
such estimators as a whole. So here they run every check that needs no data as scikit-learn
wrote it, every check about behaviour restated with texts, and every check about numeric arrays
is listed with the reason it does not apply. A test makes sure no check scikit-learn would run is
left without one of the three.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import MaxAbsScaler, StandardScaler
from sklearn.utils import estimator_checks as ec
from sklearn.utils.estimator_checks import parametrize_with_checks

from commentcare import Comment
from commentcare.model._calibration import TemperatureScaled
from commentcare.model._features import PREPARED_COLUMNS, FeatureStack, MetaFeatures, Preparer, WordNgrams
from commentcare.model._sentiment import Sentiment
from commentcare.model._text import PreparedBatch, prepare_batch

# -- the numeric estimators: scikit-learn's whole suite ----------------------------------------------

_EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "the temperature is fitted on a held-out split of the rows: a row repeated twice may land on"
        " both sides of the split, a row of weight 2 cannot, so the two fits differ"
    ),
    "check_sample_weight_equivalence_on_sparse_data": "as for dense data: the held-out split sees rows",
}

_INHERITED_FROM_FEATURE_UNION = (
    "inherited from scikit-learn's FeatureUnion, which fits the transformers of its transformer_list"
    " in place, as Pipeline fits its steps; scikit-learn's own suite expects FeatureUnion to fail it"
)
_FEATURE_STACK_FAILURES = {
    "check_estimators_overwrite_params": _INHERITED_FROM_FEATURE_UNION,
    "check_dont_overwrite_parameters": _INHERITED_FROM_FEATURE_UNION,
    "check_estimators_nan_inf": (
        "a FeatureUnion leaves NaN to its transformers, and StandardScaler lets NaN through by design,"
        " so no error is raised; scikit-learn's own suite expects FeatureUnion to fail it"
    ),
}


def _expected_failures(estimator: object) -> dict[str, str]:
    if isinstance(estimator, TemperatureScaled):
        return _EXPECTED_FAILURES
    return _FEATURE_STACK_FAILURES if isinstance(estimator, FeatureStack) else {}


@parametrize_with_checks(
    [TemperatureScaled(), FeatureStack([("scaled", StandardScaler()), ("maxabs", MaxAbsScaler())])],
    expected_failed_checks=_expected_failures,
)
def test_numeric_estimators_follow_scikit_learn(estimator: object, check: Any) -> None:
    check(estimator)


# -- the text transformers -------------------------------------------------------------------------

LEXICON = {"good": 1.9, "bad": -2.5, "love": 3.2, "broken": -2.0}
TEXTS = [
    "Great post, thanks! I love it.",
    "My order #1234 never arrived and the tracking link www.track.example is broken",
    "not good at all, really bad",
    "Check out my channel http://spam.example/x @deals4u !!!",
    "Which lens did you use?",
    "not bad, not bad at all",
    "CAPITALS EVERYWHERE WHY",
    "café au lait ☕ 😀",
]


def _text_estimators() -> list[Any]:
    return [Preparer(), WordNgrams(min_df=1), MetaFeatures(), Sentiment(LEXICON, negated_min_df=1)]


_IDS = ["Preparer", "WordNgrams", "MetaFeatures", "Sentiment"]


def _as_array(out: Any) -> Any:
    if isinstance(out, PreparedBatch):
        return [out.item(i) for i in range(len(out))]
    return out.toarray() if sp.issparse(out) else np.asarray(out)


#: scikit-learn's checks that read no data: run as scikit-learn wrote them.
DATA_FREE = (
    "check_estimator_cloneable",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
)

#: scikit-learn's checks about behaviour, restated below with texts (the test that restates each).
RESTATED = {
    "check_estimators_fit_returns_self": "test_fit_returns_self_and_takes_y",
    "check_fit_score_takes_y": "test_fit_returns_self_and_takes_y",
    "check_estimators_overwrite_params": "test_fit_changes_no_parameter",
    "check_dont_overwrite_parameters": "test_fit_changes_no_parameter",
    "check_estimators_unfitted": "test_an_unfitted_transformer_says_so",
    "check_transformers_unfitted": "test_an_unfitted_transformer_says_so",
    "check_transformers_unfitted_stateless": "test_an_unfitted_transformer_says_so",
    "check_fit_check_is_fitted": "test_an_unfitted_transformer_says_so",
    "check_estimators_empty_data_messages": "test_no_rows",
    "check_fit2d_1sample": "test_no_rows",
    "check_pipeline_consistency": "test_fitting_twice_gives_the_same_transformer",
    "check_fit_idempotent": "test_fitting_twice_gives_the_same_transformer",
    "check_estimators_pickle": "test_a_pickled_transformer_transforms_alike",
    "check_transformer_general": "test_fit_transform_equals_fit_then_transform_on_any_sequence",
    "check_transformer_data_not_an_array": "test_fit_transform_equals_fit_then_transform_on_any_sequence",
    "check_methods_sample_order_invariance": "test_each_row_depends_on_its_comment_only",
    "check_methods_subset_invariance": "test_each_row_depends_on_its_comment_only",
    "check_dict_unchanged": "test_transform_changes_nothing_on_the_estimator",
    "check_n_features_in_after_fitting": "test_feature_names_name_every_column",
    "check_n_features_in": "test_feature_names_name_every_column",
    "check_fit1d": "test_one_string_is_refused",
    "check_fit2d_predict1d": "test_one_string_is_refused",
}

#: scikit-learn's checks about numeric arrays, which a sequence of texts does not have.
NOT_FOR_TEXT = {
    "check_readonly_memmap_input": "texts are not an array that could be memory-mapped",
    "check_positive_only_tag_during_fit": "the positive_only tag is about numeric values; texts have none",
    "check_estimators_dtypes": "about numeric dtypes (float32, int64, ...) of X; texts have no dtype",
    "check_complex_data": "about complex numbers in X",
    "check_dtype_object": "about an object array of numbers and strings mixed in a 2-D X",
    "check_estimators_nan_inf": "about NaN and infinity in a numeric X",
    "check_estimator_sparse_tag": "about sparse input; the input is texts (the output is sparse)",
    "check_estimator_sparse_array": "about sparse input; the input is texts (the output is sparse)",
    "check_estimator_sparse_matrix": "about sparse input; the input is texts (the output is sparse)",
    "check_array_api_input": "about array-API namespaces of a numeric X",
    "check_f_contiguous_array_estimator": "about the memory layout of a numeric X",
    "check_transformer_preserve_dtypes": "about keeping X's float dtype; texts have none",
    "check_transformer_n_iter": "about n_iter_ of iterative solvers; none of these has one",
    "check_fit2d_1feature": "about a 2-D X of one column; a sequence of texts has no columns",
}


def _check_names_for_a_2d_estimator(est: Any) -> set[str]:
    """The checks scikit-learn would run on ``est`` if it took a 2-D array."""

    class TwoD(type(est)):  # type: ignore[misc]
        def __sklearn_tags__(self) -> Any:
            tags = super().__sklearn_tags__()
            tags.input_tags.two_d_array = True
            tags.input_tags.string = False
            return tags

    return {ec._check_name(c) for _, c in ec.estimator_checks_generator(TwoD(), legacy=True, mark=None)}


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_every_check_is_run_restated_or_given_its_reason(est: Any) -> None:
    names = _check_names_for_a_2d_estimator(est)
    accounted = set(DATA_FREE) | set(RESTATED) | set(NOT_FOR_TEXT)
    assert names - accounted == set(), "a scikit-learn check is neither run, restated nor excused"
    assert set(RESTATED.values()) <= set(globals()), "a restating test is missing"


@pytest.mark.parametrize("check_name", DATA_FREE)
@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_data_free_checks(est: Any, check_name: str) -> None:
    getattr(ec, check_name)(type(est).__name__, est)


def test_the_text_transformers_are_tagged_as_text_input() -> None:
    from sklearn.utils import get_tags

    for est in _text_estimators():
        tags = get_tags(est)
        assert tags.input_tags.string and not tags.input_tags.two_d_array


def _fitted(est: Any, X: Any = None) -> Any:
    return clone(est).fit(TEXTS if X is None else X)


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_fit_returns_self_and_takes_y(est: Any) -> None:
    e = clone(est)
    assert e.fit(TEXTS) is e
    e2 = clone(est)
    assert e2.fit(TEXTS, ["praise"] * len(TEXTS)) is e2


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_fit_changes_no_parameter(est: Any) -> None:
    e = clone(est)
    before = pickle.dumps(e.get_params())
    public_before = {k for k in vars(e) if not k.startswith("_")}
    e.fit(TEXTS)
    assert pickle.dumps(e.get_params()) == before
    added = {k for k in vars(e) if not k.startswith("_")} - public_before
    assert all(k.endswith("_") for k in added), added


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_an_unfitted_transformer_says_so(est: Any) -> None:
    from sklearn.utils import get_tags

    e = clone(est)
    if not get_tags(e).requires_fit:  # stateless: works without fit, and fit changes nothing
        assert _as_array(e.transform(TEXTS)) == _as_array(_fitted(est).transform(TEXTS))
        return
    with pytest.raises(NotFittedError):
        e.transform(TEXTS)
    with pytest.raises(NotFittedError):
        e.get_feature_names_out()


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_no_rows(est: Any) -> None:
    fitted = _fitted(est)
    width = len(fitted.get_feature_names_out())
    out = fitted.transform([])
    if isinstance(out, PreparedBatch):
        assert len(out) == 0
    else:
        assert out.shape == (0, width)
    if isinstance(est, (WordNgrams, Sentiment)):  # they learn from the rows: none is an error
        with pytest.raises(ValueError, match="at least one comment"):
            clone(est).fit([])
    else:  # they learn nothing from rows
        clone(est).fit([])
    one = _fitted(est, TEXTS[:1])
    assert len(_as_array(one.transform(TEXTS))) == len(TEXTS)


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_fitting_twice_gives_the_same_transformer(est: Any) -> None:
    a, b = _fitted(est), _fitted(est)
    np.testing.assert_array_equal(a.get_feature_names_out(), b.get_feature_names_out())
    assert _eq(a.transform(TEXTS), b.transform(TEXTS))
    a.fit(TEXTS)
    assert _eq(a.transform(TEXTS), b.transform(TEXTS))


def _eq(x: Any, y: Any) -> bool:
    ax, ay = _as_array(x), _as_array(y)
    if isinstance(ax, list):
        return bool(ax == ay)
    return bool(np.array_equal(ax, ay))


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_a_pickled_transformer_transforms_alike(est: Any) -> None:
    fitted = _fitted(est)
    again = pickle.loads(pickle.dumps(fitted))
    assert _eq(fitted.transform(TEXTS), again.transform(TEXTS))


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_fit_transform_equals_fit_then_transform_on_any_sequence(est: Any) -> None:
    expected = _fitted(est).transform(TEXTS)
    assert _eq(clone(est).fit_transform(TEXTS), expected)
    for seq in (tuple(TEXTS), iter(TEXTS), np.asarray(TEXTS, dtype=object)):
        assert _eq(_fitted(est).transform(seq), expected)
    if not isinstance(est, Sentiment):  # Sentiment reads plain strings as they are (documented)
        assert _eq(_fitted(est, prepare_batch(TEXTS)).transform(prepare_batch(TEXTS)), expected)


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_each_row_depends_on_its_comment_only(est: Any) -> None:
    fitted = _fitted(est)
    whole = _as_array(fitted.transform(TEXTS))
    order = [5, 2, 7, 0, 3, 1, 6, 4]
    shuffled = _as_array(fitted.transform([TEXTS[i] for i in order]))
    for k, i in enumerate(order):
        assert _eq_row(shuffled[k], whole[i])
    for i, text in enumerate(TEXTS):
        assert _eq_row(_as_array(fitted.transform([text]))[0], whole[i])


def _eq_row(a: Any, b: Any) -> bool:
    return bool(a == b) if not isinstance(a, np.ndarray) else bool(np.array_equal(a, b))


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_transform_changes_nothing_on_the_estimator(est: Any) -> None:
    fitted = _fitted(est)
    before = pickle.dumps(fitted.__dict__)
    fitted.transform(TEXTS)
    assert pickle.dumps(fitted.__dict__) == before


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_feature_names_name_every_column(est: Any) -> None:
    fitted = _fitted(est)
    names = fitted.get_feature_names_out()
    assert len(set(names)) == len(names)
    out = fitted.transform(TEXTS)
    if isinstance(out, PreparedBatch):
        assert tuple(names) == PREPARED_COLUMNS
        assert not hasattr(fitted, "n_features_in_")  # texts in: no columns to count
    else:
        assert out.shape[1] == len(names)


@pytest.mark.parametrize("est", _text_estimators(), ids=_IDS)
def test_one_string_is_refused(est: Any) -> None:
    """One string is a mistake, not a batch of one-character comments."""
    with pytest.raises(ValueError, match="one string"):
        clone(est).fit("Great post")
    with pytest.raises(ValueError, match="one string"):
        _fitted(est).transform("Great post")


# -- what the issue asks for by name ---------------------------------------------------------------


def test_word_ngrams_fit_on_plain_strings() -> None:
    words = WordNgrams(min_df=1).fit(TEXTS)
    assert "love" in set(words.get_feature_names_out())
    assert _eq(words.transform(TEXTS), WordNgrams(min_df=1).fit(prepare_batch(TEXTS)).transform(TEXTS))


def test_comments_and_strings_prepare_alike() -> None:
    comments = [Comment(text=t) for t in TEXTS]
    assert _eq(Preparer().transform(comments), Preparer().transform(TEXTS))
    with pytest.raises(TypeError, match="a str or a Comment"):
        Preparer().transform(["fine", 3])


def test_preparer_puts_out_a_data_frame_when_asked() -> None:
    frame = Preparer().set_output(transform="pandas").transform(TEXTS)
    assert list(frame.columns) == list(PREPARED_COLUMNS)
    assert frame["text"].tolist() == prepare_batch(TEXTS).texts
    assert isinstance(Preparer().set_output(transform="default").transform(TEXTS), PreparedBatch)
    with pytest.raises(ValueError, match="polars"):
        Preparer().set_output(transform="polars")


@pytest.mark.parametrize("est", _text_estimators()[1:], ids=_IDS[1:])
def test_the_sparse_featurisers_have_set_output(est: Any) -> None:
    """scikit-learn's output wrapping: the default keeps the sparse matrix; pandas cannot hold one."""
    fitted = _fitted(est).set_output(transform="default")
    assert sp.issparse(fitted.transform(TEXTS))
    with pytest.raises(ValueError, match=r"[Ss]parse"):
        fitted.set_output(transform="pandas").transform(TEXTS)


def test_the_shipped_pipeline_is_a_scikit_learn_classifier(moderator: Any) -> None:
    pipeline = moderator.pipeline
    assert is_classifier(pipeline)
    assert pipeline.predict_proba([]).shape == (0, len(pipeline.classes_))
    assert list(pipeline.predict([])) == []
    assert pipeline.predict_proba(TEXTS).shape == (len(TEXTS), len(pipeline.classes_))


def test_a_small_pipeline_cross_validates_stratified() -> None:
    """is_classifier makes cross_val_score use stratified folds, as `commentcare train` would."""
    from sklearn.model_selection import cross_val_score

    from commentcare.model import build_pipeline

    texts = [f"thanks, great post number {i}, love it" for i in range(12)]
    texts += [f"order {i} never arrived, refund still missing" for i in range(12)]
    labels = ["praise"] * 12 + ["complaint"] * 12
    pipeline = build_pipeline(LEXICON, min_df=1, negated_min_df=1)
    scores = cross_val_score(pipeline, texts, labels, cv=3)
    assert scores.shape == (3,) and scores.min() >= 0.5
