"""The custom menu (自定义菜单), kept in code and published by `flask menu-publish`.

Limits (fact sheet §6.3): 1–3 top buttons of ≤16 bytes, 1–5 sub-buttons of ≤60 bytes,
keys ≤128 bytes, URLs ≤1024 bytes.
详情请参阅 https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu.html
"""

TOP_NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES, URL_BYTES = 16, 60, 128, 1024

# CLICK keys; the chat handlers answer each one.
TASKS, WARNINGS, SUPERVISION, REVIEWS, ME, HELP, REPORT_PHOTO, SELF_CHECK = (
    "TASKS", "WARNINGS", "SUPERVISION", "REVIEWS", "ME", "HELP", "REPORT_PHOTO", "SELF_CHECK")


def build_menu(base_url: str) -> dict:
    """The menu with view buttons pointing at the /m pages under `base_url`."""

    def click(name, key):
        return {"type": "click", "name": name, "key": key}

    def view(name, path):
        return {"type": "view", "name": name, "url": base_url + path}

    return {"button": [
        {"name": "我的履责", "sub_button": [
            click("待办任务", TASKS),
            # The photos arrive as ordinary image messages and join the open 上报 session.
            {"type": "pic_photo_or_album", "name": "拍照上报", "key": REPORT_PHOTO},
            click("预警提醒", WARNINGS),
            click("月度自查", SELF_CHECK),
            view("个人工作台", "m/"),
        ]},
        {"name": "审核督查", "sub_button": [
            click("待我审核", REVIEWS),
            click("督办事项", SUPERVISION),
            # For county inspectors and admins; anyone else gets a polite refusal page.
            view("全县态势", "m/situation"),
        ]},
        {"name": "我的", "sub_button": [
            click("我的信息", ME),
            click("使用帮助", HELP),
        ]},
    ]}


def check_menu(menu: dict) -> list[str]:
    """Every way `menu` breaks WeChat's size limits (empty when it fits)."""
    problems = []
    buttons = menu.get("button", [])
    if not 1 <= len(buttons) <= 3:
        problems.append(f"{len(buttons)} top buttons (1-3 allowed)")
    for top in buttons:
        problems += _check_button(top, TOP_NAME_BYTES)
        subs = top.get("sub_button", [])
        if len(subs) > 5:
            problems.append(f"{top['name']}: {len(subs)} sub-buttons (at most 5)")
        for sub in subs:
            problems += _check_button(sub, SUB_NAME_BYTES)
    return problems


def _check_button(button: dict, name_bytes: int) -> list[str]:
    name = button.get("name", "")
    problems = []
    if not 0 < len(name.encode()) <= name_bytes:
        problems.append(f"name {name!r} is {len(name.encode())} bytes (at most {name_bytes})")
    if len(button.get("key", "").encode()) > KEY_BYTES:
        problems.append(f"key of {name!r} longer than {KEY_BYTES} bytes")
    if len(button.get("url", "").encode()) > URL_BYTES:
        problems.append(f"url of {name!r} longer than {URL_BYTES} bytes")
    return problems


def publish(client, base_url: str) -> dict:
    """Check the menu against the limits, then create it through the API."""
    menu = build_menu(base_url)
    problems = check_menu(menu)
    if problems:
        raise ValueError("; ".join(problems))
    client.menu.create(menu)
    return menu
