"""WeChat API error codes and the texts WeChat answers with (fact sheet §3.3, §5, §6)."""

ERRMSG = {
    -1: "system error",
    0: "ok",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid meida size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub button level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40029: "invalid code",
    40030: "invalid refresh_token",
    40035: "invalid args",
    40037: "invalid template_id",
    40054: "invalid sub button url domain",
    40055: "invalid button url domain",
    40125: "invalid appsecret",
    40163: "code been used",
    40164: "invalid ip, not in whitelist",
    40246: "invalid keyword_name_list",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    41008: "missing code",
    41009: "missing openid",
    42001: "access_token expired",
    42002: "refresh_token expired",
    43004: "require subscribe",
    43019: "user in blacklist",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44003: "empty news data",
    44004: "empty content",
    45002: "content size out of limit",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit, mustslower retry next minute",
    45015: "response out of time limit or subscription is canceled",
    45026: "template num exceeds limit",
    45047: "out of response count limit",
    46003: "menu no exist",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}


def errmsg(errcode: int) -> str:
    """WeChat's errmsg for `errcode` (a generic text for codes not in the table)."""
    return ERRMSG.get(errcode, f"errcode {errcode}")


class ApiError(Exception):
    """An API refusal: rendered as HTTP 200 JSON {"errcode", "errmsg"}, as WeChat does."""

    def __init__(self, errcode: int, message: str | None = None):
        self.errcode = errcode
        self.errmsg = message or errmsg(errcode)
        super().__init__(f"{errcode} {self.errmsg}")

    def body(self) -> dict:
        """The JSON body WeChat answers with."""
        return {"errcode": self.errcode, "errmsg": self.errmsg}


class UserActionError(Exception):
    """A simulated user cannot do this in WeChat (e.g. chat without following)."""
