"""Signed WeChat callbacks and the two load generators that replay them: wrk, or Python.

Both generators take the same pre-generated requests (one distinct message each), use a
request at most once, check every response, and return the same result dict:
requests, duration_us, p50_us, p90_us, p99_us, max_us, ok, bad, codes, consumed, reused and
the socket error counts.
"""

import asyncio
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from urllib.parse import urlencode

from wechatpy.crypto import WeChatCrypto

HERE = os.path.dirname(os.path.abspath(__file__))
LUA_SCRIPT = os.path.join(HERE, "callback.lua")

TEXT_XML = (
    "<xml><ToUserName><![CDATA[gh_qinglianbench]]></ToUserName>"
    "<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{time}</CreateTime>"
    "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
    "<MsgId>{msg_id}</MsgId></xml>"
)
SAFE_XML = (
    "<xml><ToUserName><![CDATA[gh_qinglianbench]]></ToUserName>"
    "<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
)
_ENVELOPE = re.compile(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>\s*"
                       r"<MsgSignature><!\[CDATA\[(.*?)\]\]></MsgSignature>", re.S)


def signature(*parts: str) -> str:
    """sha1 of the sorted parts (fact sheet §1.1), written here independently of the app's."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class Callbacks:
    """Distinct signed text callbacks from the bound openids, in plaintext or safe mode."""

    def __init__(self, token: str, appid: str, aes_key: str, openids: list[str],
                 content: str = "我的"):
        self.token, self.openids, self.content = token, openids, content
        self.crypto = WeChatCrypto(token, aes_key, appid)
        self.msg_id = int(time.time()) * 1_000_000  # never seen by an earlier run either

    def make(self, count: int, safe: bool) -> list[tuple[str, str]]:
        """`count` (path?query, body) pairs, signed now, each with its own MsgId and nonce."""
        timestamp = str(int(time.time()))
        return [self._one(timestamp, safe) for _ in range(count)]

    def _one(self, timestamp: str, safe: bool) -> tuple[str, str]:
        self.msg_id += 1
        openid = self.openids[self.msg_id % len(self.openids)]
        nonce = str(self.msg_id)  # distinct: the app refuses a (timestamp, nonce) seen before
        xml = TEXT_XML.format(openid=openid, time=timestamp, content=self.content,
                              msg_id=self.msg_id)
        query = {"signature": signature(self.token, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce, "openid": openid}
        if not safe:
            return "/wechat?" + urlencode(query), xml
        envelope = self.crypto.encrypt_message(xml, nonce, timestamp)
        encrypt, msg_signature = _ENVELOPE.search(envelope).groups()
        query.update(encrypt_type="aes", msg_signature=msg_signature)
        return "/wechat?" + urlencode(query), SAFE_XML.format(encrypt=encrypt)


def write_requests(path: str, requests: list[tuple[str, str]]) -> None:
    """One request a line, `target<TAB>body`, for the wrk script."""
    with open(path, "w", encoding="utf-8") as f:
        for target, body in requests:
            assert "\t" not in body and "\n" not in body
            f.write(f"{target}\t{body}\n")


def ensure_wrk(log) -> str | None:
    """The wrk binary: found, or installed from Debian's packages when we are root."""
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    log("wrk is missing: apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "install", "-y", "-q", "wrk"], ["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "wrk"]):
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, timeout=300)
        if shutil.which("wrk"):
            return shutil.which("wrk")
    return None


def run_wrk(wrk: str, url: str, path: str, offset: int, connections: int, seconds: float,
            expect: str) -> dict:
    """One wrk run over the requests in `path` from line `offset` on."""
    threads = min(2, connections)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s",
               "-s", LUA_SCRIPT, url, "--", path, str(offset), str(threads), expect]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    lines = done.stdout.splitlines()
    result = next((line for line in lines if line.startswith("WRK_RESULT ")), None)
    if done.returncode != 0 or result is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    stats = json.loads(result.removeprefix("WRK_RESULT "))
    stats["sample"] = next((line[11:] for line in lines if line.startswith("WRK_SAMPLE ")), "")
    return stats


def run_python(host: str, port: int, requests: list[tuple[str, str]], offset: int,
               connections: int, seconds: float, expect: str) -> dict:
    """The fallback generator: `connections` asyncio clients, one connection per request."""
    raw = [_raw_request(host, port, target, body) for target, body in requests[offset:]]
    return asyncio.run(_python_load(host, port, raw, connections, seconds, expect.encode()))


def _raw_request(host: str, port: int, target: str, body: str) -> bytes:
    data = body.encode()
    head = (f"POST {target} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n")
    return head.encode() + data


async def _python_load(host: str, port: int, raw: list[bytes], connections: int,
                       seconds: float, expect: bytes) -> dict:
    latencies, codes, state = [], Counter(), {"next": 0, "errors": 0, "sample": ""}
    end = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < end:
            request = raw[state["next"] % len(raw)]
            state["next"] += 1
            started = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(_exchange(host, port, request), 5)
            except (OSError, asyncio.TimeoutError, ValueError):
                state["errors"] += 1
                continue
            latencies.append(time.perf_counter() - started)
            good = status == 200 and expect in body
            codes["ok" if good else status] += 1
            if not good and not state["sample"]:
                state["sample"] = f"{status} {body[:300].decode(errors='replace')}"

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    return _python_stats(latencies, codes, state, time.perf_counter() - started, len(raw))


async def _exchange(host: str, port: int, request: bytes) -> tuple[int, bytes]:
    """Send one request on a fresh connection and read the response until the server closes."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _python_stats(latencies: list[float], codes: Counter, state: dict, duration: float,
                  available: int) -> dict:
    ordered = sorted(latencies)

    def percentile(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1e6 if ordered else 0.0

    bad = {str(code): count for code, count in codes.items() if code != "ok"}
    return {
        "requests": len(latencies), "duration_us": duration * 1e6,
        "p50_us": percentile(0.50), "p90_us": percentile(0.90), "p99_us": percentile(0.99),
        "max_us": ordered[-1] * 1e6 if ordered else 0.0,
        "mean_us": sum(ordered) / len(ordered) * 1e6 if ordered else 0.0,
        "ok": codes["ok"], "bad": sum(bad.values()),
        "codes": ",".join(f"{code}:{count}" for code, count in bad.items()),
        "sent": state["next"], "consumed": state["next"],
        "reused": max(0, state["next"] - available),
        "connect_errors": state["errors"], "read_errors": 0, "write_errors": 0, "timeouts": 0,
        "non_2xx": sum(count for code, count in codes.items() if code != "ok" and code != 200),
        "sample": state["sample"],
    }
