"""The menu in code, published by `flask menu-publish` within WeChat's limits."""

from wechat.menu import build_menu, check_menu


def test_menu_publish_creates_three_top_buttons(runner, emulator):
    result = runner.invoke(args=["menu-publish"])
    assert result.exit_code == 0, result.output
    names = [button["name"] for button in emulator.get_menu()["menu"]["button"]]
    assert names == ["我的履责", "审核督查", "我的"]


def test_menu_fits_wechat_limits():
    assert check_menu(build_menu("https://qinglian.example.gov.cn/")) == []


def test_oversized_names_are_caught():
    menu = {"button": [{"type": "click", "name": "一二三四五六", "key": "K"}]}
    assert check_menu(menu) == ["name '一二三四五六' is 18 bytes (at most 16)"]
