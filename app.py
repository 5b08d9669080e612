"""The qinglian application: configuration and wiring, nothing else.

`create_app()` is the only place where configuration is read and parts are connected
(STYLE.md R1); gunicorn serves `app:app`, the CLI runs `flask --app app ...`.
"""

import os
import secrets
from datetime import timedelta

from dotenv import dotenv_values
from flask import Flask

import handlers
import jobs
import models
import wechat

DEFAULT_API_BASE = "https://api.weixin.qq.com/"
# The emulator's template ids; a real account sets WECHAT_TEMPLATE_<PURPOSE> for each.
DEFAULT_TEMPLATE_IDS = {"task": "QL_TASK_DISPATCHED", "warning": "QL_TASK_WARNING",
                        "review": "QL_REVIEW_REQUEST", "result": "QL_REVIEW_RESULT",
                        "supervision": "QL_SUPERVISION"}


def load_config(environ: dict, instance_path: str) -> dict:
    """Read DESIGN.md's environment variables (a `.env` file fills what the environment lacks)."""
    env = {**dotenv_values(".env"), **environ}
    return {
        "DATABASE_URL": env.get("DATABASE_URL")
        or "sqlite:///" + os.path.join(instance_path, "qinglian.db"),
        # PostgreSQL cancels any statement of the app's running longer (0: no limit).
        "DATABASE_STATEMENT_TIMEOUT_MS": int(env.get("DATABASE_STATEMENT_TIMEOUT_MS", "5000")),
        "REDIS_URL": env.get("REDIS_URL") or "",
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance_path),
        "WECHAT_TOKEN": env.get("WECHAT_TOKEN", "qinglian-demo-token"),
        "WECHAT_APPID": env.get("WECHAT_APPID", "wx7c1e3a9d5b2f4e60"),
        "WECHAT_SECRET": env.get("WECHAT_SECRET", "qinglian-demo-secret"),
        "WECHAT_AES_KEY": env.get("WECHAT_AES_KEY", ""),
        # plain / compat / safe, as set on the platform; empty: safe with a key, else plain.
        "WECHAT_MODE": env.get("WECHAT_MODE", ""),
        "WECHAT_API_BASE": _with_slash(env.get("WECHAT_API_BASE") or DEFAULT_API_BASE),
        "WECHAT_HTTP_TIMEOUT": float(env.get("WECHAT_HTTP_TIMEOUT", "5")),
        "PUBLIC_BASE_URL": _with_slash(env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000/"),
        # Template ids per notification purpose (category templates added in the MP console).
        "WECHAT_TEMPLATE_IDS": {
            purpose: env.get(f"WECHAT_TEMPLATE_{purpose.upper()}") or default
            for purpose, default in DEFAULT_TEMPLATE_IDS.items()},
        # The sender (issue 4): global WeChat send rate per second shared in Redis, sends in
        # flight per worker, quiet hours in Shanghai time, the SMS fallback channel.
        "SEND_RATE": int(env.get("SEND_RATE", "20")),
        "SEND_CONCURRENCY": int(env.get("SEND_CONCURRENCY", "16")),
        "QUIET_HOURS": env.get("QUIET_HOURS", "22:00-07:30"),
        "SMS_FALLBACK": env.get("SMS_FALLBACK", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=7),
        "SESSION_COOKIE_SECURE": env.get("PUBLIC_BASE_URL", "").startswith("https://"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config first, then each part's `init_app`, in dependency order."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(dict(os.environ), app.instance_path))
    app.config.update(overrides or {})
    for part in (models, jobs, wechat, handlers):
        part.init_app(app)
    return app


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _instance_secret(instance_path: str) -> str:
    """A per-installation key kept in instance/ so that a demo's sessions survive restarts."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        with open(path, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()


def __getattr__(name: str) -> Flask:
    """`app:app` for gunicorn and `flask --app app`, built on first access, not at import."""
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
