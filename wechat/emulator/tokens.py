"""access_token (cgi-bin/token and stable_token) and the JS-SDK ticket (fact sheet §4, §6.2).

Each classic fetch issues a new token and leaves the previous one valid 5 more minutes; tokens
expire after 7200 s. stable_token is a separate chain: the same token while more than 300 s is
left, force_refresh at most every 30 s and 20 times a day.
详情请参阅 https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html
"""

import secrets
from dataclasses import dataclass

from wechat.emulator.errors import ApiError

TOKEN_TTL = 7200
GRACE = 300
STABLE_RENEW_LEFT = 300
FORCE_MIN_INTERVAL = 30
FORCE_PER_DAY = 20
CST_OFFSET = 8 * 3600


@dataclass
class IssuedToken:
    """One access_token; `invalid_after` is set when a newer token superseded it."""

    value: str
    kind: str
    expires_at: float
    invalid_after: float | None = None

    def errcode(self, now: float) -> int:
        """0 when usable, else 40001 (superseded past grace) or 42001 (expired)."""
        if self.invalid_after is not None and self.invalid_after < self.expires_at:
            if now >= self.invalid_after:
                return 40001
        return 42001 if now >= self.expires_at else 0


class TokenMixin:
    """Token issuing and checking for the Emulator (state under `self._lock`)."""

    def _reset_tokens(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}
        self._current: dict[str, IssuedToken] = {}
        self._forced: list[float] = []
        self._tickets: dict[str, tuple[str, float]] = {}
        self._token_seq = 0

    def check_credentials(self, appid: str | None, secret: str | None) -> None:
        """40013 / 40125 (and 41002 / 41004 when missing) for the account's appid and secret."""
        if not appid:
            raise ApiError(41002)
        if appid != self.appid:
            raise ApiError(40013)
        if not secret:
            raise ApiError(41004)
        if secret != self.secret:
            raise ApiError(40125)

    def fetch_token(self, grant_type: str | None, appid: str | None, secret: str | None) -> dict:
        """GET cgi-bin/token: a new token every call; the previous one lives 5 more minutes."""
        with self._lock:
            if grant_type != "client_credential":
                raise ApiError(40002)
            self.check_credentials(appid, secret)
            self._stats["token_fetches"]["token"] += 1
            token = self._issue("token", supersede=True)
            return {"access_token": token.value, "expires_in": TOKEN_TTL}

    def fetch_stable_token(self, body: dict) -> dict:
        """POST cgi-bin/stable_token: the current stable token unless renewal is due or forced."""
        with self._lock:
            if body.get("grant_type") != "client_credential":
                raise ApiError(40002)
            self.check_credentials(body.get("appid"), body.get("secret"))
            self._stats["token_fetches"]["stable_token"] += 1
            now = self.now()
            current = self._current.get("stable")
            if body.get("force_refresh") in (True, "true", 1):
                self._check_force_quota(now)
                self._forced.append(now)
                current = self._issue("stable", supersede=True)
            elif current is None or current.expires_at - now <= STABLE_RENEW_LEFT:
                current = self._issue("stable", supersede=False)
            return {"access_token": current.value, "expires_in": int(current.expires_at - now)}

    def check_token(self, value: str | None) -> None:
        """Raise 41001 (missing), 40001 (unknown or superseded) or 42001 (expired)."""
        if not value:
            raise ApiError(41001)
        with self._lock:
            token = self._tokens.get(value)
            errcode = 40001 if token is None else token.errcode(self.now())
        if errcode:
            raise ApiError(errcode)

    def jsapi_ticket(self, ticket_type: str) -> dict:
        """GET cgi-bin/ticket/getticket: the same ticket until it expires (7200 s)."""
        if ticket_type not in ("jsapi", "wx_card"):
            raise ApiError(40035)
        with self._lock:
            now = self.now()
            ticket, expires_at = self._tickets.get(ticket_type, ("", 0.0))
            if expires_at <= now:
                ticket, expires_at = secrets.token_urlsafe(64), now + TOKEN_TTL
                self._tickets[ticket_type] = (ticket, expires_at)
            return {"errcode": 0, "errmsg": "ok", "ticket": ticket,
                    "expires_in": int(expires_at - now)}

    def _check_force_quota(self, now: float) -> None:
        day = (now + CST_OFFSET) // 86400
        today = [moment for moment in self._forced if (moment + CST_OFFSET) // 86400 == day]
        if today and now - today[-1] < FORCE_MIN_INTERVAL:
            raise ApiError(45009)
        if len(today) >= FORCE_PER_DAY:
            raise ApiError(45009)
        self._forced = today

    def _issue(self, kind: str, supersede: bool) -> IssuedToken:
        now = self.now()
        previous = self._current.get(kind)
        if supersede and previous is not None:
            limit = now + GRACE
            if previous.invalid_after is None or previous.invalid_after > limit:
                previous.invalid_after = limit
        self._token_seq += 1
        value = f"{self._token_seq}_{secrets.token_urlsafe(96)}"
        token = IssuedToken(value, kind, now + TOKEN_TTL)
        self._tokens[value] = token
        self._current[kind] = token
        self._prune_tokens(now)
        return token

    def _prune_tokens(self, now: float) -> None:
        """Forget tokens dead for a day (they then answer 40001 like any unknown token)."""
        dead = [key for key, token in self._tokens.items()
                if min(token.expires_at, token.invalid_after or token.expires_at) < now - 86400]
        for key in dead:
            del self._tokens[key]
