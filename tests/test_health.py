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


def test_an_error_page_leaves_the_session_and_its_csrf_secret_alone(client):
    """A browser fetches /favicon.ico beside every page: its 404 must not start a session (a
    new CSRF secret would replace the one the page's form was just given)."""
    response = client.get("/favicon.ico")
    assert response.status_code == 404 and "未找到" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert 'name="csrf-token"' not in response.get_data(as_text=True)
