"""A local stand-in for the WeChat platform: API, OAuth, callbacks, and a phone page.

It behaves like WeChat as documented (the WeChat fact sheet, wechat-platform.md), not like
what is convenient: signed and encrypted callbacks with retries, token rotation, typed
template keys, the 48 h customer-service window, media expiry. Imports no project code.

    app = create_emulator({"EMULATOR_CALLBACK_URL": "http://127.0.0.1:5000/wechat"})
    app.emulator.send_text(simulated_openid(app.emulator.appid, 1), "你好")
"""

import os

from flask import Flask
from flask import jsonify

from wechat.emulator.api import bp as api_bp
from wechat.emulator.callback import CallbackResult
from wechat.emulator.control import bp as control_bp
from wechat.emulator.errors import ApiError
from wechat.emulator.errors import UserActionError
from wechat.emulator.oauth import bp as oauth_bp
from wechat.emulator.phone import bp as phone_bp
from wechat.emulator.server import serve_in_thread
from wechat.emulator.settings import load_settings
from wechat.emulator.state import DEFAULT_TEMPLATES
from wechat.emulator.state import Emulator
from wechat.emulator.users import simulated_openid
from wechat.emulator.users import simulated_users

__all__ = [
    "DEFAULT_TEMPLATES",
    "ApiError",
    "CallbackResult",
    "Emulator",
    "UserActionError",
    "create_emulator",
    "serve_in_thread",
    "simulated_openid",
    "simulated_users",
]


def create_emulator(settings: dict | None = None) -> Flask:
    """The emulator's Flask app; its state is `app.emulator` (an Emulator).

    `settings` override environment variables of the same name, which override defaults
    (see settings.DEFAULTS).
    """
    emulator = Emulator(load_settings(settings, os.environ))
    app = Flask(__name__, static_url_path="/_emu/static")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.emulator = emulator
    for blueprint in (api_bp, oauth_bp, control_bp, phone_bp):
        app.register_blueprint(blueprint)
    app.register_error_handler(ApiError, lambda exc: jsonify(exc.body()))
    return app
