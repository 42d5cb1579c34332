"""The Perspective endpoints: Perspective-shaped requests get Perspective-shaped answers."""

from __future__ import annotations

import httpx

from commentcare.feedback import FeedbackStore, text_sha256

from .serve_support import Server

RANT = "You are a clueless idiot and this is the stupidest garbage I have ever read, you moron."


def analyze(server: Server, key: str | None, body: object, **params: str) -> httpx.Response:
    q = {"key": key, **params} if key else params
    return httpx.post(server.url + "/v1alpha1/comments:analyze", params=q, json=body, timeout=10)


def test_analyze_answers_in_perspectives_shape(server: Server, key: str) -> None:
    body = {
        "comment": {"text": RANT},
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {}, "SPAM": {}, "COMPLAINT": {}, "PRAISE": {}},
        "languages": ["en"],
        "doNotStore": True,
    }
    r = analyze(server, key, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out["attributeScores"]) == {"TOXICITY", "INSULT", "SPAM", "COMPLAINT", "PRAISE"}
    for entry in out["attributeScores"].values():
        assert entry["summaryScore"]["type"] == "PROBABILITY"
        assert 0.0 <= entry["summaryScore"]["value"] <= 1.0
    scores = {k: v["summaryScore"]["value"] for k, v in out["attributeScores"].items()}
    assert scores["TOXICITY"] > 0.8 and scores["TOXICITY"] == scores["INSULT"]
    assert scores["PRAISE"] < 0.1 and scores["SPAM"] < 0.1
    assert out["languages"] == ["en"]


def test_threshold_and_spans(server: Server, key: str) -> None:
    body = {
        "comment": {"text": RANT},
        "requestedAttributes": {
            "TOXICITY": {"scoreThreshold": {"value": 0.5}},
            "PRAISE": {"scoreThreshold": {"value": 0.5}},
        },
        "spanAnnotations": True,
    }
    out = analyze(server, key, body).json()
    assert set(out["attributeScores"]) == {"TOXICITY"}
    assert out["attributeScores"]["TOXICITY"]["spanScores"][0]["end"] == len(RANT)


def test_errors_in_googles_shape(server: Server, key: str) -> None:
    r = analyze(server, key, {"comment": {"text": "hi"}, "requestedAttributes": {"SEVERE_TOXICITY": {}}})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == 400 and err["status"] == "INVALID_ARGUMENT"
    assert err["message"] == 'Attribute SEVERE_TOXICITY does not exist in language "en".'
    r = analyze(server, "wrong", {"comment": {"text": "hi"}, "requestedAttributes": {"SPAM": {}}})
    assert r.status_code == 400 and r.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    r = analyze(server, None, {"comment": {"text": "hi"}, "requestedAttributes": {"SPAM": {}}})
    assert r.status_code == 403 and r.json()["error"]["status"] == "PERMISSION_DENIED"
    r = httpx.post(
        server.url + "/v1alpha1/comments:analyze", params={"key": key}, content=b"{not json", timeout=10
    )
    assert r.status_code == 400 and "line 1 column 2" in r.json()["error"]["message"]
    r = analyze(server, key, {"comment": {}, "requestedAttributes": {"SPAM": {}}})
    assert r.status_code == 400 and "comment.text" in r.json()["error"]["message"]
    r = analyze(
        server, key, {"comment": {"text": "hola"}, "requestedAttributes": {"SPAM": {}}, "languages": ["es"]}
    )
    assert r.status_code == 400
    r = httpx.post(
        server.url + "/v1alpha1/comments:analyze",
        headers={"X-Goog-Api-Key": key},
        timeout=10,
        json={"comment": {"text": "hi"}, "requestedAttributes": {"SPAM": {}}},
    )
    assert r.status_code == 200


def test_suggestscore_records_and_honours_do_not_store(server: Server, key: str) -> None:
    secret = "a private remark 55120 that must not be kept"
    r = httpx.post(
        server.url + "/v1alpha1/comments:suggestscore",
        params={"key": key},
        timeout=10,
        json={
            "comment": {"text": secret},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.95}}},
            "doNotStore": True,
            "clientToken": "tok-1",
        },
    )
    assert r.status_code == 200 and r.json()["clientToken"] == "tok-1"
    kept_text = "Visit my shop for the best prices 4471"
    r = httpx.post(
        server.url + "/v1alpha1/comments:suggestscore",
        params={"key": key},
        timeout=10,
        json={"comment": {"text": kept_text}, "attributeScores": {"SPAM": {"summaryScore": {"value": 0.9}}}},
    )
    assert r.status_code == 200
    # analyze with doNotStore never stores: its text is in no correction
    analyze(
        server,
        key,
        {"comment": {"text": "analysed only 99817"}, "requestedAttributes": {"SPAM": {}}, "doNotStore": True},
    )
    with FeedbackStore(server.feedback) as store:
        got = {c.text_sha256: c for c in store.corrections() if c.source == "perspective"}
    hidden = got[text_sha256(secret)]
    assert hidden.text is None and hidden.correction == "rant"
    assert got[text_sha256(kept_text)].text == kept_text and got[text_sha256(kept_text)].correction == "spam"
    assert text_sha256("analysed only 99817") not in got
    raw = b"".join(p.read_bytes() for p in server.feedback.parent.glob(server.feedback.name + "*"))
    assert b"55120" not in raw and b"99817" not in raw
    assert "55120" not in server.logs()
