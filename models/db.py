"""Engine, session and the declarative base (the flaskr `db.py` shape, plain SQLAlchemy 2.x).

Models never commit; entry points (views, jobs, CLI) do.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

session = scoped_session(sessionmaker(expire_on_commit=False))


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so store naive UTC)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def normalize_url(url: str) -> str:
    """PostgreSQL URLs go through psycopg 3 whatever scheme they were written with."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


# A database that accepts connections but never answers must not hold a web worker: new
# connections give up after CONNECT_TIMEOUT seconds, a request waits POOL_TIMEOUT seconds for a
# pooled one, and the app's statements are cancelled by the server after its statement timeout.
CONNECT_TIMEOUT, POOL_TIMEOUT = 2, 2


def make_engine(url: str, statement_timeout_ms: int = 0) -> sa.Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout. On PostgreSQL,
    `statement_timeout_ms` (0: none, as migrations need) bounds every statement."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": CONNECT_TIMEOUT}
    if statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                            pool_timeout=POOL_TIMEOUT, connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app) -> None:
    """Bind the session to DATABASE_URL and release it after each request or CLI command."""
    engine = make_engine(app.config["DATABASE_URL"],
                         app.config.get("DATABASE_STATEMENT_TIMEOUT_MS", 0))
    session.configure(bind=engine)
    app.extensions["db_engine"] = engine
    app.teardown_appcontext(lambda _exc: session.remove())
