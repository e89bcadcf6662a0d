"""The HTTP API over the plumbing fake: every route, every error status, limits, batching and metrics."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from serve.app import create_app
from serve.settings import Settings

VIOLATING = "全网最好的面霜，三天见效"
CLEAN = "温和清洁，泡沫细腻，洗后不紧绷"


def metric(client: TestClient, name: str, **labels: str) -> float:
    """One sample's value from /metrics (0 when the series has not been touched yet)."""
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok", "detail": ""}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_readyz_stays_503_when_the_warm_up_inference_fails(fake_checker, monkeypatch):
    def broken(texts):
        raise RuntimeError("no model")

    monkeypatch.setattr(fake_checker.engine, "predict", broken)
    with TestClient(create_app(fake_checker, Settings()), raise_server_exceptions=False) as client:
        deadline = time.monotonic() + 5
        while (response := client.get("/readyz")).json()["detail"] == "warming up":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert response.status_code == 503
        assert response.json() == {"status": "not ready", "detail": "warm-up inference failed: no model"}
        assert client.get("/healthz").status_code == 200


def test_model_info(client, fake_checker):
    info = client.get("/v1/model").json()
    assert info["version"] == fake_checker.version
    assert info["labels"] == ["absolute_term", "exaggerated_claim", "misleading_statement"]
    assert set(info["thresholds"]) == set(info["labels"])


def test_editor_page_and_assets_are_served(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="editor"' in page.text and "/static/app.js" in page.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


def test_check_one_text(client, fake_checker):
    response = client.post("/v1/check", json={"text": VIOLATING})
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == fake_checker.version
    [result] = body["results"]
    assert result["labels"] == ["absolute_term", "exaggerated_claim"]
    assert set(result["scores"]) == {"absolute_term", "exaggerated_claim", "misleading_statement"}
    spans = {s["text"]: s for s in result["spans"]}
    assert VIOLATING[spans["最好"]["start"] : spans["最好"]["end"]] == "最好"
    assert spans["最好"]["source"] == "rule" and spans["最好"]["basis"] and spans["最好"]["suggestion"]
    assert set(body["timings_ms"]) == {"queue", "inference", "explain", "total"}
    for header in ("x-total-time", "x-inference-time", "x-queue-time", "x-explain-time"):
        assert float(response.headers[header]) >= 0


def test_check_a_batch_keeps_order(client):
    response = client.post("/v1/check", json={"texts": [CLEAN, VIOLATING, "央视推荐"]})
    results = response.json()["results"]
    assert [r["labels"] for r in results] == [[], ["absolute_term", "exaggerated_claim"], ["misleading_statement"]]


def test_allow_and_deny_apply_to_this_request_only(client, fake_checker):
    calls = []
    explain = fake_checker.explain
    fake_checker.explain = lambda *args: calls.append(args) or explain(*args)
    body = {
        "text": "本店爆款，全网最好", "industry": "cosmetics", "allow": ["最好"],
        "deny": ["爆款", {"term": "本店", "label": "absolute_term", "severity": "block"}],
    }
    spans = client.post("/v1/check", json=body).json()["results"][0]["spans"]
    assert {(s["text"], s["label"], s["severity"]) for s in spans} == {
        ("本店", "absolute_term", "block"), ("爆款", "misleading_statement", "review"),
    }
    industry, allow, deny = calls[-1][2:]
    assert (industry, allow) == ("cosmetics", ["最好"])
    assert deny == ["爆款", {"term": "本店", "label": "absolute_term", "severity": "block"}]
    again = client.post("/v1/check", json={"text": "本店爆款，全网最好"}).json()["results"][0]
    assert [s["text"] for s in again["spans"]] == ["最好"]


def test_lists_the_rule_layer_refuses_are_422_and_fail_only_their_request(make_client, fake_checker):
    client = make_client(batch_wait_ms=50)
    fake_checker.engine.delay_s = 0.1
    bodies = [{"text": VIOLATING, "deny": ["  "]}, {"text": VIOLATING}, {"text": VIOLATING}]
    with ThreadPoolExecutor(3) as pool:
        bad, *good = pool.map(lambda body: client.post("/v1/check", json=body), bodies)
    assert_error(bad, 422, "invalid_lists")
    assert [r.status_code for r in good] == [200, 200]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"text": ""}', 422, "invalid_request"),
        (b'{"texts": []}', 422, "invalid_request"),
        (b'{"texts": ["ok", ""]}', 422, "invalid_request"),
        (b'{"text": 42}', 422, "invalid_request"),
        (b'{"texts": "not a list"}', 422, "invalid_request"),
        (b'{"text": "a", "texts": ["b"]}', 422, "invalid_request"),
        (b"{}", 422, "invalid_request"),
        (b"[]", 422, "invalid_request"),
        (b"null", 422, "invalid_request"),
        (b'{"text": "a", "industry": "casino"}', 422, "invalid_request"),
        (b'{"text": "a", "allow": "words"}', 422, "invalid_request"),
        (b'{"text": "a", "deny": [{"term": "x", "label": "rude"}]}', 422, "invalid_request"),
        (b'{"text": "a", "unknown": 1}', 422, "invalid_request"),
    ],
)
def test_bad_requests_get_json_errors(client, body, status, code):
    response = client.post("/v1/check", content=body, headers={"content-type": "application/json"})
    assert_error(response, status, code)


def test_body_over_the_limit_is_413_declared_or_streamed(make_client):
    client = make_client(max_body_bytes=1000)
    body = b'{"text": "' + b"a" * 1000 + b'"}'
    assert_error(client.post("/v1/check", content=body), 413, "body_too_large")
    streamed = client.post("/v1/check", content=iter([body[:600], body[600:]]))
    assert_error(streamed, 413, "body_too_large")


def test_default_body_limit_is_one_megabyte(client):
    body = b'{"text": "' + b"a" * 1_000_000 + b'"}'
    assert_error(client.post("/v1/check", content=body), 413, "body_too_large")


def test_text_and_batch_limits_are_413(make_client):
    client = make_client(max_text_chars=10, max_batch=3)
    assert client.post("/v1/check", json={"text": "a" * 10}).status_code == 200
    assert_error(client.post("/v1/check", json={"text": "a" * 11}), 413, "text_too_long")
    assert_error(client.post("/v1/check", json={"texts": ["a"] * 4}), 413, "batch_too_large")


def test_default_limits_are_20000_chars_and_64_texts(client):
    assert client.post("/v1/check", json={"texts": ["a"] * 64}).status_code == 200
    assert_error(client.post("/v1/check", json={"texts": ["a"] * 65}), 413, "batch_too_large")
    assert client.post("/v1/check", json={"text": "最" * 20_000}).status_code == 200
    assert_error(client.post("/v1/check", json={"text": "最" * 20_001}), 413, "text_too_long")


def test_unknown_route_and_method_are_json(client):
    assert_error(client.get("/v2/nothing"), 404, "not_found")
    assert_error(client.get("/v1/check"), 405, "method_not_allowed")


def test_api_key_guards_v1_only(make_client):
    client = make_client(api_key="s3cret")
    assert_error(client.post("/v1/check", json={"text": VIOLATING}), 401, "unauthorized")
    wrong = client.post("/v1/check", json={"text": VIOLATING}, headers={"Authorization": "Bearer nope"})
    assert_error(wrong, 401, "unauthorized")
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert_error(client.get("/v1/model"), 401, "unauthorized")
    authorized = {"Authorization": "Bearer s3cret"}
    assert client.post("/v1/check", json={"text": VIOLATING}, headers=authorized).status_code == 200
    assert client.get("/v1/model", headers=authorized).status_code == 200
    for open_path in ("/healthz", "/readyz", "/metrics", "/"):
        assert client.get(open_path).status_code == 200


def test_full_queue_answers_429_with_retry_after(make_client, fake_checker):
    client = make_client(max_concurrency=1, max_queue=1)
    fake_checker.engine.delay_s = 0.4
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda _: client.post("/v1/check", json={"text": VIOLATING}), range(5)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) >= 2 and statuses.count(429) >= 1 and set(statuses) <= {200, 429}
    rejected = next(r for r in responses if r.status_code == 429)
    assert_error(rejected, 429, "overloaded")
    assert int(rejected.headers["retry-after"]) >= 1


def test_slow_scoring_answers_504(make_client, fake_checker):
    client = make_client(request_timeout_s=0.1)
    fake_checker.engine.delay_s = 0.5
    assert_error(client.post("/v1/check", json={"text": VIOLATING}), 504, "timeout")


def test_concurrent_requests_share_model_calls(make_client, fake_checker):
    client = make_client(batch_wait_ms=50)
    fake_checker.engine.delay_s = 0.1
    texts = [f"第{i}名：{'最好' if i % 2 else '很好'}" for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        responses = list(pool.map(lambda t: client.post("/v1/check", json={"text": t, "deny": [t[:2]]}), texts))
    calls = [batch for batch in fake_checker.engine.batches if batch != ["全网销量第一的面霜，三天见效，央视推荐"]]
    assert len(calls) < len(texts)
    assert sorted(t for batch in calls for t in batch) == sorted(texts)
    for text, response in zip(texts, responses, strict=True):
        spans = response.json()["results"][0]["spans"]
        assert {s["text"] for s in spans} == {text[:2], *(["最好"] if "最好" in text else [])}
    assert metric(client, "adlint_batch_texts_count") == len(calls) + 1


def test_custom_lists_are_checked_for_changes_per_request(client, fake_checker):
    before = fake_checker.rules.reloads
    client.post("/v1/check", json={"text": VIOLATING})
    assert fake_checker.rules.reloads == before + 1


def test_metrics_count_requests_texts_and_characters(client):
    requests_before = metric(client, "adlint_requests_total", route="/v1/check", status="200")
    texts_before = metric(client, "adlint_texts_scored_total")
    chars_before = metric(client, "adlint_characters_scored_total")
    client.post("/v1/check", json={"texts": [VIOLATING, CLEAN]})
    client.post("/v1/check", content=b"{", headers={"content-type": "application/json"})
    assert metric(client, "adlint_requests_total", route="/v1/check", status="200") == requests_before + 1
    assert metric(client, "adlint_requests_total", route="/v1/check", status="400") == 1
    assert metric(client, "adlint_texts_scored_total") == texts_before + 2
    assert metric(client, "adlint_characters_scored_total") == chars_before + len(VIOLATING) + len(CLEAN)
    assert metric(client, "adlint_request_duration_seconds_count", route="/v1/check") >= 2
    assert metric(client, "adlint_queue_depth") == 0
    assert metric(client, "adlint_requests_in_flight") == 0


def test_no_5xx_on_garbage(client):
    garbage = [b"", b"\xff\xfe", b'{"text": "\\ud800"}', b'{"text": null}', b'{"texts": [null]}', b"1e999",
               b'{"text": "a", "deny": [["x"]]}', b'{"text": {"nested": true}}', b"{" * 5000]
    for body in garbage:
        for content_type in ("application/json", "text/plain"):
            response = client.post("/v1/check", content=body, headers={"content-type": content_type})
            assert response.status_code < 500, (body[:20], content_type, response.text)
            assert "error" in response.json()
