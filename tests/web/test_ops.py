"""Operations endpoints: health, readiness, Prometheus metrics, API docs and request ids."""

from __future__ import annotations

import json
import logging

from pythonjsonlogger.json import JsonFormatter

from boh.http.observability import RequestIdFilter


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["database"] == "up"


def test_metrics_count_requests_by_route(client):
    client.get("/healthz")
    client.get("/api/v1/org/sites")  # 401, still counted
    body = client.get("/metrics").text
    assert 'boh_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    assert 'boh_http_requests_total{method="GET",route="/api/v1/org/sites",status="401"}' in body
    assert "boh_http_request_seconds_bucket" in body


def test_openapi_and_docs_are_served(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "BOH"
    assert "/api/v1/org/sites" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_request_id_is_echoed_or_made_and_lands_in_problem_and_logs(client, caplog):
    r = client.get("/api/v1/org/sites", headers={"X-Request-ID": "abc-123"})
    assert r.headers["X-Request-ID"] == "abc-123"
    assert r.json()["request_id"] == "abc-123"
    bad = client.get("/api/v1/org/sites", headers={"X-Request-ID": "not ok\nforged log line"})
    assert bad.headers["X-Request-ID"] != "not ok\nforged log line"
    assert len(bad.headers["X-Request-ID"]) == 32
    handler_records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            handler_records.append(self.format(record))

    h = Capture()
    h.addFilter(RequestIdFilter())
    h.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"))
    access = logging.getLogger("boh.access")
    access.addHandler(h)
    old = access.level
    access.setLevel(logging.INFO)
    try:
        client.get("/healthz?token=secret-value", headers={"X-Request-ID": "rid-42"})
    finally:
        access.removeHandler(h)
        access.setLevel(old)
    lines = [json.loads(x) for x in handler_records]
    assert any(x["request_id"] == "rid-42" and x["route"] == "/healthz" for x in lines)
    assert all("secret-value" not in json.dumps(x) for x in lines)  # query strings are never logged
