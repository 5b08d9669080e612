"""The WeChat API client: wechatpy's WeChatClient with a shared token and bounded retries.

wechatpy 1.8.18 keeps token expiry per process, hard-codes api.weixin.qq.com for tokens and
retries 40001/42001 without limit (fact sheet §4). Here: one token in Redis for every process,
refreshed by exactly one of them at a time (a Redis lock), through `stable_token`; a rejected
token is refreshed once and the call retried once; every HTTP call has a timeout; every URL
sits under WECHAT_API_BASE.
详情请参阅 https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html
"""

import logging
import secrets
import time

import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.oauth import WeChatOAuth
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
REFRESH_MARGIN = 300  # stable_token renews 5 minutes before expiry (fact sheet §4)
LOCK_TIMEOUT = 15


class Client(WeChatClient):
    """One per process; the access token lives in Redis, shared by web and worker processes."""

    def __init__(self, appid: str, secret: str, redis, api_base: str, timeout: float = 5.0):
        super().__init__(appid, secret, session=RedisStorage(redis, prefix="wechatpy"),
                         timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base + "cgi-bin/"
        self.api_base = api_base
        self.redis = redis
        self._http.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=64))
        self._http.mount("https://", HTTPAdapter(pool_connections=4, pool_maxsize=64))

    @property
    def access_token(self) -> str:
        return self.session.get(self.access_token_key) or self.refresh_access_token()

    def fetch_access_token(self) -> dict:
        """wechatpy's hook: here it goes through the shared, locked refresh."""
        return {"access_token": self.refresh_access_token()}

    def refresh_access_token(self, stale: str | None = None) -> str:
        """A usable token: the one another process just stored, or a fresh one fetched by us.

        `stale` is a token WeChat has just rejected; it is never handed out again.
        """
        lock = self.redis.lock(f"wechatpy:{self.appid}_token_lock", timeout=LOCK_TIMEOUT,
                               blocking_timeout=LOCK_TIMEOUT)
        with lock:
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current
            result = self._stable_token(force=False)
            if stale and result["access_token"] == stale:
                result = self._stable_token(force=True)
            ttl = max(int(result.get("expires_in", 7200)) - REFRESH_MARGIN, 30)
            self.session.set(self.access_token_key, result["access_token"], ttl)
            return result["access_token"]

    def _stable_token(self, force: bool) -> dict:
        log.info("fetching access token (stable_token, force_refresh=%s)", force)
        body = {"grant_type": "client_credential", "appid": self.appid,
                "secret": self.secret, "force_refresh": force}
        response = self._http.post(self.API_BASE_URL + "stable_token", json=body,
                                   timeout=self.timeout)
        result = self._decode_result(response)
        if not isinstance(result, dict) or result.get("errcode", 0) != 0:
            errcode = result.get("errcode") if isinstance(result, dict) else None
            errmsg = result.get("errmsg") if isinstance(result, dict) else response.text[:100]
            raise WeChatClientException(errcode, errmsg, client=self, response=response)
        return result

    def _request(self, method, url_or_endpoint, **kwargs):
        """wechatpy's request, retried once with a fresh token when the token is rejected."""
        params = kwargs.get("params")
        if params is not None and not isinstance(params, dict):
            return super()._request(method, url_or_endpoint, **kwargs)
        attempt = {**kwargs, "params": dict(params or {})}
        caller_token = "access_token" in attempt["params"]
        try:
            return super()._request(method, url_or_endpoint, **attempt)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS or caller_token:
                raise
            stale = attempt["params"]["access_token"]
        log.warning("access token rejected, refreshing once")
        fresh = self.refresh_access_token(stale=stale)
        retry = {**kwargs, "params": {**(params or {}), "access_token": fresh}}
        return super()._request(method, url_or_endpoint, **retry)

    def send_text(self, openid: str, content: str) -> dict:
        """A customer-service text (客服消息), allowed 48 h after the user's last interaction."""
        return self.post("message/custom/send", data={
            "touser": openid, "msgtype": "text", "text": {"content": content}})

    def create_bind_qrcode(self, scene: str, expire_seconds: int) -> dict:
        """A temporary QR_STR_SCENE code (fact sheet §6.4)."""
        return self.qrcode.create({
            "expire_seconds": expire_seconds, "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}}})

    def jsapi_config(self, url: str) -> dict:
        """wx.config parameters for the page at `url` (fact sheet §6.2); the jsapi ticket is
        cached in Redis by wechatpy's session storage, shared by every process."""
        ticket = self.jsapi.get_jsapi_ticket()
        noncestr, timestamp = secrets.token_hex(8), int(time.time())
        signature = self.jsapi.get_jsapi_signature(noncestr, ticket, timestamp, url.split("#")[0])
        return {"appId": self.appid, "timestamp": timestamp, "nonceStr": noncestr,
                "signature": signature}

    @property
    def is_official(self) -> bool:
        """True against real WeChat, False against the emulator (it has no client JS-SDK)."""
        return self.api_base.startswith("https://api.weixin.qq.com")

    def qrcode_image_url(self, ticket: str) -> str:
        if self.is_official:
            base = "https://mp.weixin.qq.com/cgi-bin/"
        else:
            base = self.API_BASE_URL
        return base + "showqrcode?" + requests.compat.urlencode({"ticket": ticket})


class OAuth(WeChatOAuth):
    """snsapi_base web authorisation with the emulator-aware hosts and a timeout (§6.1)."""

    def __init__(self, appid: str, secret: str, redirect_uri: str, api_base: str,
                 timeout: float = 5.0, state: str = ""):
        super().__init__(appid, secret, redirect_uri, scope="snsapi_base", state=state)
        official = api_base.startswith("https://api.weixin.qq.com")
        self.API_BASE_URL = api_base
        self.OAUTH_BASE_URL = "https://open.weixin.qq.com/connect/" if official else api_base + "connect/"
        self.timeout = timeout

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super()._request(method, url_or_endpoint, **kwargs)
