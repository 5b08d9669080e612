"""Emulator settings: explicit overrides, then environment variables, then defaults."""

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

DEFAULTS = {
    "WECHAT_APPID": "wx7c1e3a9d5b2f4e60",
    "WECHAT_SECRET": "qinglian-demo-secret",
    "WECHAT_TOKEN": "qinglian-demo-token",
    "WECHAT_AES_KEY": "",
    "WECHAT_MODE": None,
    "EMULATOR_MODE": None,
    "EMULATOR_CALLBACK_URL": "http://127.0.0.1:5000/wechat",
    "EMULATOR_PUBLIC_URL": "http://127.0.0.1:5001/",
    "EMULATOR_OAUTH_DOMAINS": None,
    "EMULATOR_USERS": 30,
    "EMULATOR_FINISH_DELAY": 1.0,
    "EMULATOR_CALLBACK_TIMEOUT": 5.0,
    "EMULATOR_CALLBACK_ATTEMPTS": 3,
    "EMULATOR_TEMPLATES": None,
}
MODES = ("plain", "compat", "safe")


def load_settings(overrides: Mapping | None, environ: Mapping) -> dict:
    """Merge and type-check the settings; raises ValueError on an unusable combination."""
    overrides = dict(overrides or {})
    raw = {key: overrides.get(key, environ.get(key, default)) for key, default in DEFAULTS.items()}
    aes_key = raw["WECHAT_AES_KEY"] or ""
    if aes_key and len(aes_key) != 43:
        raise ValueError("WECHAT_AES_KEY must be 43 characters (EncodingAESKey)")
    # The platform's 消息加解密方式 is what the app is told in WECHAT_MODE.
    mode = raw["EMULATOR_MODE"] or raw["WECHAT_MODE"] or ("safe" if aes_key else "plain")
    if mode not in MODES:
        raise ValueError(f"EMULATOR_MODE must be one of {MODES}")
    if mode != "plain" and not aes_key:
        raise ValueError(f"EMULATOR_MODE={mode} needs WECHAT_AES_KEY")
    callback_url = str(raw["EMULATOR_CALLBACK_URL"])
    return {
        "WECHAT_APPID": str(raw["WECHAT_APPID"]),
        "WECHAT_SECRET": str(raw["WECHAT_SECRET"]),
        "WECHAT_TOKEN": str(raw["WECHAT_TOKEN"]),
        "WECHAT_AES_KEY": aes_key,
        "EMULATOR_MODE": mode,
        "EMULATOR_CALLBACK_URL": callback_url,
        "EMULATOR_PUBLIC_URL": str(raw["EMULATOR_PUBLIC_URL"]),
        "EMULATOR_OAUTH_DOMAINS": _domains(raw["EMULATOR_OAUTH_DOMAINS"], callback_url),
        "EMULATOR_USERS": int(raw["EMULATOR_USERS"]),
        "EMULATOR_FINISH_DELAY": _delay(raw["EMULATOR_FINISH_DELAY"]),
        "EMULATOR_CALLBACK_TIMEOUT": float(raw["EMULATOR_CALLBACK_TIMEOUT"]),
        "EMULATOR_CALLBACK_ATTEMPTS": max(1, int(raw["EMULATOR_CALLBACK_ATTEMPTS"])),
        "EMULATOR_TEMPLATES": _templates(raw["EMULATOR_TEMPLATES"]),
    }


def _domains(value, callback_url: str) -> list[str]:
    """网页授权域名: hosts only, lower case; default the callback URL's host."""
    if isinstance(value, str):
        value = value.split(",")
    hosts = [str(host).strip().lower() for host in value or [] if str(host).strip()]
    return hosts or [(urlsplit(callback_url).hostname or "").lower()]


def _delay(value) -> float | None:
    """Seconds before TEMPLATESENDJOBFINISH; None (also "", "none", negative) = only on flush()."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    delay = float(value)
    return None if delay < 0 else delay


def _templates(value) -> dict | None:
    """template_id → keyword keys; a JSON string is accepted (from the environment)."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    return {str(key): list(keys) for key, keys in value.items()} if value else None
