"""The async engine and session factory, built once per process by the lifespan or the CLI."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.config import Settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event below emit BEGIN itself instead of the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while one writer commits; busy_timeout makes a second writer wait
    # for the lock instead of failing at once; foreign keys are off by default in SQLite;
    # the 64 MiB page cache keeps the indexes a bulk load touches in memory.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


# A reader maps the database file instead of copying each page it scans through read(): a scan of
# every order line (analytics at a million orders) spent more time in those system calls than in
# SQLite itself. Address space only: the pages are the kernel's page cache, shared and reclaimable.
READER_MMAP_BYTES = 1 << 30


def _sqlite_reader_pragmas(dbapi_connection, record) -> None:
    _sqlite_pragmas(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA mmap_size={READER_MMAP_BYTES}")
    cursor.close()


def _begin_immediate(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection) -> None:
    # One snapshot for all of a read's queries; a deferred transaction that only reads never locks.
    connection.exec_driver_sql("BEGIN")


def database_url(settings: Settings) -> URL:
    """DATABASE_URL as a SQLAlchemy URL object."""
    return make_url(settings.database_url.get_secret_value())


def create_engine(settings: Settings, *, read_only: bool = False, pool_size: int | None = None) -> AsyncEngine:
    """An async engine for DATABASE_URL, tuned per dialect.

    `read_only` is for an engine that never writes (see app.core.reads): on SQLite its transactions
    start deferred, as WAL readers that do not wait for the write lock or hold it.
    """
    url = database_url(settings)
    if url.get_backend_name() == "sqlite" and read_only:
        engine = create_async_engine(url, pool_size=pool_size or 1, max_overflow=0, pool_timeout=120)
        event.listen(engine.sync_engine, "connect", _sqlite_reader_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_deferred)
        return engine
    if url.get_backend_name() == "sqlite":
        # SQLite has one writer at a time. One pooled connection per process queues this
        # process's transactions in order instead of letting them fight over the lock, and
        # BEGIN IMMEDIATE takes the write lock up front so a transaction that read first can
        # never fail to upgrade when another process (the CLI) wrote in between.
        engine = create_async_engine(url, echo=settings.database_echo, pool_size=1, max_overflow=0, pool_timeout=120)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(
        url,
        echo=settings.database_echo,
        pool_size=pool_size or settings.database_pool_size,
        max_overflow=0 if read_only else settings.database_pool_size,
        # Off by default: asyncpg's ping is BEGIN, a query and ROLLBACK, three round trips that cost an
        # order request more than its own statements. A dropped connection is caught when used instead
        # (503, and SQLAlchemy empties the pool), and pool_recycle retires connections before the idle
        # timeouts of most proxies and firewalls.
        pool_pre_ping=settings.database_pool_pre_ping,
        pool_recycle=1800,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (responses are built after it) and flush
    only when told to (a use case decides when its ORM changes go out)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
