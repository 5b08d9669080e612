"""Who is on the page: WeChat OAuth snsapi_base (code → openid → bound person).

The identity is kept in Flask's signed, HttpOnly, SameSite=Lax session cookie (fact sheet §6.1)
and re-checked on every request (handlers.web.session_person, the admin pages' check too).
"""

import functools
import secrets

from flask import current_app, g, redirect, render_template, request, session
from wechatpy.exceptions import WeChatException

from handlers.web import session_person, start_session
from models import audit, utcnow
from models import session as db
from models.wechat_binding import deactivated_openid, person_for_openid


def login_required(view):
    """Load the bound person from the session, or send the browser through WeChat OAuth."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        person = session_person()
        if person is None:
            return _start_oauth()
        g.person = person
        return view(*args, **kwargs)

    return wrapped


def message_page(message: str, status: int, title: str = "提示", back: str | None = None):
    """A WeUI result page with one sentence and a way back."""
    return render_template("mobile/message.html", title=title, message=message, back=back), status


def _start_oauth():
    state = secrets.token_hex(16)
    session["oauth_state"] = state
    session["next"] = request.full_path if request.query_string else request.path
    redirect_uri = current_app.config["PUBLIC_BASE_URL"] + "m/auth"
    oauth = current_app.extensions["wechat"].oauth(redirect_uri, state)
    return redirect(oauth.authorize_url)


def auth():
    """OAuth redirect target: check state, trade the code for an openid, find the person."""
    expected = session.pop("oauth_state", None)
    if not expected or not secrets.compare_digest(expected, request.args.get("state", "")):
        # Two pages opened at once, or a stale link: start one fresh round, then give up.
        if "oauth_retry" in session.get("next", "") or request.args.get("oauth_retry"):
            return message_page("登录已过期，请从公众号菜单重新进入。", 400)
        return redirect("/m/?oauth_retry=1")
    code = request.args.get("code")
    if not code:
        return message_page("需要您同意授权后才能使用，请从公众号菜单重新进入。", 403)
    redirect_uri = current_app.config["PUBLIC_BASE_URL"] + "m/auth"
    try:
        result = current_app.extensions["wechat"].oauth(redirect_uri).fetch_access_token(code)
    except (WeChatException, OSError):
        return message_page("微信授权失败，请稍后从公众号菜单重新进入。", 502)
    if int(result.get("is_snapshotuser") or 0) == 1:
        return message_page("当前为预览页面，请点击页面下方“使用完整服务”后再操作。", 403)
    person = person_for_openid(result["openid"])
    if person is None and deactivated_openid(result["openid"]):
        return message_page("您的账号已停用，如有疑问请联系系统管理员。", 403, "账号已停用")
    if person is None:
        return message_page("您的微信尚未绑定干部账号。请在公众号对话框发送“绑定+6位绑定码”，"
                            "例如：绑定 123456。", 403, "尚未绑定")
    if not person.active:
        return message_page("您的账号已停用，如有疑问请联系系统管理员。", 403, "账号已停用")
    next_path = session.pop("next", "/m/")
    start_session(openid=result["openid"], person_id=person.id)
    session.permanent = True  # PERMANENT_SESSION_LIFETIME; the binding is re-checked per request
    audit.record("mobile.login", f"person:{person.id}", now=utcnow(), actor=person)
    db.commit()
    return redirect(next_path if next_path.startswith("/m/") else "/m/")
