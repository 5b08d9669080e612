"""`make run` (scripts/demo.py): the processes write to log files, so the addresses the banner
prints stay on the screen; a process that stops has its last lines shown."""

import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def demo():
    spec = importlib.util.spec_from_file_location("demo", os.path.join(ROOT, "scripts", "demo.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_process_writes_to_its_log_not_over_the_banner(demo, tmp_path, capfd):
    process = demo.start("web", f"{sys.executable} -c \"print('GET /healthz ' * 2)\"",
                         dict(os.environ), logs=str(tmp_path))
    assert process.wait(timeout=30) == 0
    out, err = capfd.readouterr()
    assert "启动 web" in out and "GET /healthz GET" not in out + err
    assert "GET /healthz GET /healthz" in demo.tail(demo.log_path("web", str(tmp_path)))


def test_the_banner_names_each_address_and_how_to_get_a_new_admin_link(demo, tmp_path):
    text = demo.banner("http://127.0.0.1:5000/admin/login/abc", "unix:///tmp/redis.sock",
                       logs=str(tmp_path))
    for words in (demo.EMULATOR, "http://127.0.0.1:5000/admin/login/abc", "healthz",
                  "flask --app app admin-link 1", "Ctrl-C", "日志"):
        assert words in text, words


def test_tail_keeps_the_last_lines(demo, tmp_path):
    path = tmp_path / "worker.log"
    path.write_text("".join(f"第{n}行\n" for n in range(1, 31)), encoding="utf-8")
    assert demo.tail(str(path), lines=3) == "第28行\n第29行\n第30行"
    assert demo.tail(str(tmp_path / "missing.log")) == ""
