"""`/healthz` (DESIGN.md): 200 when both are up, 503 naming what is down."""

import redis


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["db"] == "ok" and response.json["redis"] == "ok"
    assert set(response.json) == {"db", "redis", "calendar", "duty"}


def test_redis_down_is_named(client, app, monkeypatch):
    monkeypatch.setitem(app.extensions, "redis", redis.Redis(unix_socket_path="/nonexistent"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["db"] == "ok" and response.json["redis"].startswith("down")
