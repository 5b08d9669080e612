"""The floor of the stack: a bare Flask app on `/wechat` that only checks the signature.

The callback benchmark serves it with the Procfile's gunicorn settings, next to the real app,
so that "app req/s ÷ floor req/s" tells what the real work (parse, dedupe, binding lookup,
reply) costs on top of gunicorn + Flask + one sha1. Run it alone with
`WECHAT_TOKEN=t gunicorn --pythonpath benchmarks floor_app:app`.
"""

import hashlib
import hmac
import os

from flask import Flask, Response, request

TOKEN = os.environ.get("WECHAT_TOKEN", "qinglian-demo-token")
# A fixed passive text reply of the size of a short real one (fact sheet §1.4).
REPLY = (
    "<xml>\n<ToUserName><![CDATA[user]]></ToUserName>\n"
    "<FromUserName><![CDATA[gh_floor]]></FromUserName>\n"
    "<CreateTime>0</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[floor]]></Content>\n</xml>"
)

app = Flask(__name__)


def signed(args) -> bool:
    """sha1 of sorted [token, timestamp, nonce] == `signature`, compared in constant time."""
    parts = sorted([TOKEN, args.get("timestamp", ""), args.get("nonce", "")])
    expected = hashlib.sha1("".join(parts).encode()).hexdigest()
    return hmac.compare_digest(expected, args.get("signature", ""))


@app.get("/wechat")
def verify():
    """URL verification: echo `echostr`."""
    if not signed(request.args):
        return Response("refused\n", 403, mimetype="text/plain")
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@app.post("/wechat")
def receive():
    """Read the body (as any handler must) and answer the fixed reply."""
    request.get_data()
    if not signed(request.args):
        return Response("refused\n", 403, mimetype="text/plain")
    return Response(REPLY, mimetype="application/xml")
