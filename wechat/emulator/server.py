"""Serving the emulator: a werkzeug threaded server, in the foreground or in a daemon thread."""

import logging
import os
import threading

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

log = logging.getLogger(__name__)


class KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1, so API clients keep their connections alive as they do with WeChat's servers
    (werkzeug's default, HTTP/1.0, closes every connection after one request)."""

    protocol_version = "HTTP/1.1"


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0):
    """Start a threaded werkzeug server on a daemon thread; returns (server, base_url).

    Port 0 picks a free port. Stop it with `server.shutdown()`.
    """
    server = make_server(host, port, app, threaded=True, request_handler=KeepAliveHandler)
    base_url = f"http://{host}:{server.server_port}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="emulator-http")
    thread.start()
    return server, base_url


def serve_forever(app: Flask, environ=os.environ) -> None:
    """Serve on EMULATOR_HOST:EMULATOR_PORT (default 127.0.0.1:5001), one log line per request."""
    host = environ.get("EMULATOR_HOST", "127.0.0.1")
    port = int(environ.get("EMULATOR_PORT", "5001"))
    server = make_server(host, port, app, threaded=True, request_handler=KeepAliveHandler)
    emulator = app.emulator
    log.info("WeChat emulator on http://%s:%s/ (appid %s, %s mode) → callback %s", host,
             server.server_port, emulator.appid, emulator.mode, emulator.callback_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
