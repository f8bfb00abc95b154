import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.examples import examples
from tests.worker import task_queue_unreachable, worker_queue  # noqa: F401 - fixtures for every test module

# The suite runs a test process per core beside PostgreSQL, Celery workers and a browser: how long
# an example takes to draw or run says nothing about the code there, and the timing checks failed
# at random under that load ("Input generation is slow"). Tests that set their own health checks
# add too_slow to theirs. Tests that name no number of examples draw Hypothesis's 100, scaled as the
# others are (tests/examples.py).
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=examples(100))
settings.load_profile("suite")


def pytest_configure(config):
    """The tests run on PostgreSQL, as production does: without DATABASE_URL the settings fall back
    to the embedded SQLite, where a run by hand passed and failed tests for reasons of its own.
    `make test` sets it; ALLOW_SQLITE_TESTS=1 runs on SQLite anyway."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") and not os.environ.get("ALLOW_SQLITE_TESTS"):
        pytest.exit("The tests run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker (make test does), "
                    "or ALLOW_SQLITE_TESTS=1 to run them on SQLite anyway.", returncode=2)

# Tests of several seconds each (a real worker, a browser, manage.py in subprocesses): started first,
# so that the parallel test processes end together on short tests, not one of them alone on a
# 20-second test while the other waits.
_LONG_FIRST = ("tests/e2e/", "tests/scoring/test_faults.py", "tests/scoring/test_embedded.py", "tests/core/test_commands.py")


@pytest.hookimpl(tryfirst=True)  # before pytest-django's, whose stable sort into Django's order keeps this one within each group
def pytest_collection_modifyitems(config, items):
    def long(item) -> bool:
        return item.get_closest_marker("worker") is not None or item.nodeid.startswith(_LONG_FIRST)

    items.sort(key=lambda item: not long(item))


SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"
LAKESIDE = SPEC / "examples" / "lakeside"
if not LAKESIDE.exists():  # CI lays shared/ beside the clone; a developer may point elsewhere
    LAKESIDE = Path(os.environ.get("LAKESIDE_DIR", "/work/shared/spec/examples/lakeside"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make hundreds of users and sign-ins: with production's PBKDF2 (a million iterations)
    each took 0.3-0.5 s, most of the form fuzz tests' time. Hashing itself is Django's, untested
    here; the subprocess tests (`make run`'s commands) still use production's hashers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no requests counted against the rate limits (they count in the cache,
    which outlives a test in its process): a limit is tested by the tests that mean to."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def lakeside_dir() -> Path:
    return LAKESIDE


@pytest.fixture
def lakeside(db, lakeside_dir):
    """The lakeside example imported into the test database (tests/lakeside_cache.py)."""
    from tests.lakeside_cache import import_lakeside

    import_lakeside(lakeside_dir / "data")
    return lakeside_dir


@pytest.fixture
def checked_at_each_statement(db):
    """The foreign keys checked at each statement, as a commit checks them (tests/meanwhile.py)."""
    from tests.meanwhile import keys_checked_at_each_statement

    keys_checked_at_each_statement()


@pytest.fixture
def copy_of_lakeside(tmp_path, lakeside_dir) -> Path:
    target = tmp_path / "data"
    shutil.copytree(lakeside_dir / "data", target)
    return target


@pytest.fixture
def user_with_role(db):
    """Make a signed-in-able user with one role: user_with_role("analyst")."""
    from django.contrib.auth.models import Group, User

    def make(role: str) -> "User":
        user = User.objects.create_user(f"{role}-{User.objects.count()}", password="a-long-test-password")
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def client_as(client, user_with_role):
    """A test client signed in with one role: client_as("analyst")."""

    def sign_in(role: str):
        client.force_login(user_with_role(role))
        return client

    return sign_in


@pytest.fixture
def admin_site_client(user_with_role):
    """A client of its own signed in to the admin site as an administrator (staff and superuser, as
    load_demo makes its administrator)."""
    from django.test import Client

    admin = user_with_role("administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def _embedded_environment(database: Path) -> dict:
    return _environment_on(f"sqlite:///{database}")


def _environment_on(database_url: str) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DATABASE_URL=database_url, CELERY_BROKER_URL="")
    return env


def _run_manage(env: dict, *args):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    return subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def manage_on():
    """Run manage.py in a subprocess on the database at a URL of the test's choosing (Celery
    eager): manage_on(URL, "recompute") returns the finished process, whatever its exit status."""
    return lambda database_url, *args: _run_manage(_environment_on(database_url), *args)


@pytest.fixture
def empty_postgres_url():
    """The URL of a PostgreSQL database made for the test, on the test database's server, with no
    table in it (never migrated); dropped after."""
    import uuid

    import psycopg2
    from django.conf import settings

    server = settings.DATABASES["default"]
    if server["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs the tests' PostgreSQL server")
    name = f"tracker_empty_{uuid.uuid4().hex[:12]}"
    params = {"host": server["HOST"] or "localhost", "port": server["PORT"] or 5432, "user": server["USER"],
              "password": server["PASSWORD"], "dbname": "postgres"}

    def run(statement: str) -> None:
        connection = psycopg2.connect(**params)
        connection.autocommit = True  # CREATE and DROP DATABASE refuse a transaction
        try:
            connection.cursor().execute(statement)
        finally:
            connection.close()

    run(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{server['USER']}:{server['PASSWORD']}@{params['host']}:{params['port']}/{name}"
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """A SQLite file with every migration applied, made once per test process: `migrate` from
    nothing takes about 3 s, which each embedded test paid before."""
    database = tmp_path_factory.mktemp("embedded-template") / "migrated.sqlite3"
    result = _run_manage(_embedded_environment(database), "migrate", "--noinput", "-v", "0")
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def embedded_manage(tmp_path, migrated_sqlite_file):
    """Run manage.py in a subprocess on the embedded default (a SQLite file, Celery eager), as
    `make run` does, on a database of its own that starts migrated and empty (a copy of
    `migrated_sqlite_file`): embedded_manage("import_dataset", DIR) returns its output, failing on
    an error; with `check=False` it returns the finished process, whatever its exit status."""
    import shutil

    database = tmp_path / "embedded.sqlite3"
    shutil.copyfile(migrated_sqlite_file, database)
    env = _embedded_environment(database)

    def manage(*args, check: bool = True):
        result = _run_manage(env, *args)
        if not check:
            return result
        assert result.returncode == 0, result.stderr
        return result.stdout

    return manage
