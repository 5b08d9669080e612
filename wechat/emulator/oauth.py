"""OAuth2 网页授权: the authorize page and the sns/* APIs (fact sheet §6.1).

The simulated user is whoever the phone page picked (cookie `emu_openid`) or `emu_openid` in the
query; anyone else gets a small page to pick a user. Codes are single use and live 5 minutes.
详情请参阅 https://developers.weixin.qq.com/doc/service/guide/h5/auth.html
"""

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request

from wechat.emulator.api import api_gate
from wechat.emulator.errors import ApiError

CODE_TTL = 300
SNS_TOKEN_TTL = 7200
REFRESH_TTL = 30 * 86400
SCOPES = ("snsapi_base", "snsapi_userinfo")
COOKIE = "emu_openid"

bp = Blueprint("emu_oauth", __name__)


@dataclass
class Grant:
    """A code, sns access_token or refresh_token: whose, which scope, until when."""

    openid: str
    scope: str
    expires_at: float
    used: bool = False


class OAuthMixin:
    """Codes and sns tokens for the Emulator (state under `self._lock`)."""

    def _reset_oauth(self) -> None:
        self._codes: dict[str, Grant] = {}
        self._sns_tokens: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, Grant] = {}

    def authorize_error(self, args) -> tuple[str, str] | None:
        """(error code, message) for the error page WeChat would show, or None when valid."""
        if not args.get("appid"):
            return "10012", "appid不能为空"
        if args.get("appid") != self.appid:
            return "", "appid参数错误"
        if not args.get("redirect_uri"):
            return "10011", "redirect_uri不能为空"
        if args.get("response_type") != "code":
            return "", "response_type参数错误"
        if not args.get("scope"):
            return "10010", "scope不能为空"
        if args.get("scope") not in SCOPES:
            return "10005", "此公众号并没有这些scope的权限"
        if len(args.get("state", "").encode()) > 128:
            return "", "state参数错误"
        host = (urlsplit(args["redirect_uri"]).hostname or "").lower()
        if host not in self.oauth_domains:
            return "10003", "redirect_uri域名与后台配置不一致"
        return None

    def issue_code(self, openid: str, scope: str) -> str:
        """A fresh single-use code for `openid`."""
        with self._lock:
            now = self.now()
            for code in [key for key, grant in self._codes.items() if grant.expires_at < now]:
                del self._codes[code]
            code = secrets.token_hex(16)
            self._codes[code] = Grant(openid, scope, now + CODE_TTL)
            return code

    def exchange_code(self, args) -> dict:
        """GET sns/oauth2/access_token: 40029 invalid or expired code, 40163 used code."""
        self.check_credentials(args.get("appid"), args.get("secret"))
        if args.get("grant_type") != "authorization_code":
            raise ApiError(40002)
        if not args.get("code"):
            raise ApiError(41008)
        with self._lock:
            grant = self._codes.get(args["code"])
            if grant is None:
                raise ApiError(40029)
            if grant.used:
                raise ApiError(40163)
            if self.now() >= grant.expires_at:
                raise ApiError(40029)
            grant.used = True
            refresh = secrets.token_urlsafe(64)
            self._refresh_tokens[refresh] = Grant(grant.openid, grant.scope,
                                                  self.now() + REFRESH_TTL)
            return self._sns_token(grant.openid, grant.scope, refresh)

    def refresh_sns_token(self, args) -> dict:
        """GET sns/oauth2/refresh_token (refresh tokens live 30 days)."""
        if args.get("appid") != self.appid:
            raise ApiError(40013)
        if args.get("grant_type") != "refresh_token":
            raise ApiError(40002)
        with self._lock:
            grant = self._refresh_tokens.get(args.get("refresh_token", ""))
            if grant is None:
                raise ApiError(40030)
            if self.now() >= grant.expires_at:
                raise ApiError(42002)
            return self._sns_token(grant.openid, grant.scope, args["refresh_token"])

    def sns_grant(self, access_token: str | None, openid: str | None) -> Grant:
        """The grant behind an sns access_token: 41001, 40001, 42001, 40003 on mismatch."""
        if not access_token:
            raise ApiError(41001)
        with self._lock:
            grant = self._sns_tokens.get(access_token)
            if grant is None:
                raise ApiError(40001)
            if self.now() >= grant.expires_at:
                raise ApiError(42001)
        if openid != grant.openid:
            raise ApiError(40003)
        return grant

    def _sns_token(self, openid: str, scope: str, refresh: str) -> dict:
        token = secrets.token_urlsafe(64)
        self._sns_tokens[token] = Grant(openid, scope, self.now() + SNS_TOKEN_TTL)
        body = {"access_token": token, "expires_in": SNS_TOKEN_TTL, "refresh_token": refresh,
                "openid": openid, "scope": scope}
        user = self._users.get(openid)
        if user is not None and user.snapshot:
            body["is_snapshotuser"] = 1
        return body


def _emulator():
    return current_app.emulator


def _with_code(redirect_uri: str, code: str, state: str) -> str:
    """redirect_uri?code=CODE&state=STATE, keeping the URI's own query."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [("code", code), ("state", state)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@bp.get("/connect/oauth2/authorize")
def authorize():
    """The consent step: silent 302 for a known user, else a page to pick one."""
    emulator = _emulator()
    error = emulator.authorize_error(request.args)
    if error:
        return render_template("oauth_error.html", code=error[0], message=error[1])
    chosen = request.args.get(COOKIE)
    openid = chosen or request.cookies.get(COOKIE)
    if openid not in emulator.user_ids():
        args = {key: value for key, value in request.args.items() if key != COOKIE}
        return render_template("oauth_pick.html", users=emulator.users(), args=args)
    code = emulator.issue_code(openid, request.args["scope"])
    response = redirect(_with_code(request.args["redirect_uri"], code,
                                   request.args.get("state", "")))
    if chosen:
        response.set_cookie(COOKIE, chosen, samesite="Lax")
    return response


@bp.get("/sns/oauth2/access_token")
def access_token():
    """code → {access_token, expires_in, refresh_token, openid, scope[, is_snapshotuser]}."""
    return jsonify(_emulator().exchange_code(request.args))


@bp.get("/sns/oauth2/refresh_token")
def refresh_token():
    """refresh_token → a new sns access_token."""
    return jsonify(_emulator().refresh_sns_token(request.args))


@bp.get("/sns/userinfo")
def userinfo():
    """snsapi_userinfo only (48001 for snsapi_base tokens)."""
    emulator = _emulator()
    grant = emulator.sns_grant(request.args.get("access_token"), request.args.get("openid"))
    if grant.scope != "snsapi_userinfo":
        raise ApiError(48001)
    nickname = emulator.nickname(grant.openid)
    return jsonify({"openid": grant.openid, "nickname": nickname, "sex": 0, "province": "",
                    "city": "", "country": "", "headimgurl": "", "privilege": []})


@bp.get("/sns/auth")
def auth():
    """Whether an sns access_token is valid for this openid."""
    _emulator().sns_grant(request.args.get("access_token"), request.args.get("openid"))
    return jsonify({"errcode": 0, "errmsg": "ok"})


bp.before_request(api_gate)
