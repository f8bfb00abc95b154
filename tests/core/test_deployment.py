"""The production settings path: `check --deploy` is clean and secrets are required."""
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-" + "x9Qw2Zr7Lp4Nv8Ty1Bc6Hm5Jd3Fs0Gk",
    "ALLOWED_HOSTS": "tracker.example.org",
    "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
    "CACHE_URL": "redis://127.0.0.1:6379/1",  # as docker-compose.yml sets it (core/cache.py)
}


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_under_production_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**env, **PRODUCTION})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, **PRODUCTION}
    env.pop("SECRET_KEY")

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_sessions_expire_after_a_working_day_and_cookies_are_http_only(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.parametrize("setting, expected", [(None, "False"), ("1", "True")])
def test_numpy_leaves_huge_pages_alone_unless_the_operator_asks(setting, expected):
    """config turns numpy's huge-page advice off before numpy loads (every entry point imports
    config first: manage.py through the settings, Celery and WSGI directly); an operator's own
    NUMPY_MADVISE_HUGEPAGE wins."""
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if setting is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = setting
    code = "import config, numpy._core.multiarray as m; print(m._get_madvise_hugepage())"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert result.stdout.strip() == expected, result.stderr


def test_a_web_process_serves_without_numba_until_a_score_is_computed():
    """numba and LLVM are 60-140 MB of every process that imports them: a web process loads the
    URLs, the views and the API without them; the engine's kernels bring them in when called."""
    code = (
        "import sys, django; from django.urls import get_resolver; import config.wsgi; get_resolver().url_patterns;"
        "print('numba' in sys.modules);"
        "from scoring.engine import pair_product; print('numba' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.stdout.split() == ["False", "True"], result.stderr


def test_a_worker_imports_numba_before_its_pool_starts():
    code = (
        "import sys, config.celery; from celery.signals import worker_init; print('numba' in sys.modules);"
        "worker_init.send(sender=None); print('numba' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.stdout.split() == ["False", "True"], result.stderr


def test_the_image_holds_every_app_and_what_the_apps_read_at_run_time(settings):
    # Docker does not run here: the Dockerfile is checked by reading it (an app left out of the
    # image installs without complaint and fails only when the container starts)
    copied = {line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("COPY ")}
    local_apps = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert local_apps and local_apps <= copied, local_apps - copied
    packaged = re.search(r"include = \[(.*?)\]", (ROOT / "pyproject.toml").read_text()).group(1)
    assert {name.strip(' "*') for name in packaged.split(",")} <= copied
    # the templates, the static files, the demo data set and the help pages (docs/) are read at run time
    assert {"manage.py", "templates", "static", "demo", "docs"} <= copied


def test_the_image_installs_the_dependencies_and_runs_the_one_copy_of_the_apps_in_its_working_folder():
    dockerfile = (ROOT / "Dockerfile").read_text()
    # `pip install .` put a second copy of every app in site-packages beside /app's
    assert not re.search(r"pip install (--\S+ )*\.(\s|$)", dockerfile)
    assert "python dependencies.py > /tmp/requirements.txt && pip install -r /tmp/requirements.txt" in dockerfile
    printed = subprocess.run([sys.executable, str(ROOT / "scripts" / "dependencies.py"), str(ROOT / "pyproject.toml")],
                             capture_output=True, text=True, check=True).stdout.splitlines()
    assert printed == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(line.startswith("Django==") for line in printed)


def test_compose_runs_web_worker_and_beat_from_one_image_beside_postgresql_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["image"] == "policing-tracker:latest" and service["build"] == "."
        assert service["environment"]["DATABASE_URL"].endswith("@postgres:5432/tracker")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert all(needed["condition"] == "service_healthy" for needed in service["depends_on"].values())
    assert set(services["web"]["depends_on"]) == {"postgres", "redis"}
    # worker and beat start once web has applied the migrations (web is healthy once it serves)
    assert set(services["worker"]["depends_on"]) == set(services["beat"]["depends_on"]) == {"postgres", "redis", "web"}
    assert "healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "celery -A config worker" in services["worker"]["command"]
    assert "celery -A config beat" in services["beat"]["command"]
    assert "migrate" in services["web"]["command"] and "gunicorn config.wsgi:application" in services["web"]["command"]


def test_the_web_servers_queries_stop_with_its_workers_and_the_migrations_do_not():
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    migrate, serve = command.split("&&")
    assert "manage.py migrate" in migrate and "PGOPTIONS" not in migrate
    timeout = re.search(r"PGOPTIONS='-c statement_timeout=(\d+)s' gunicorn .*--timeout (\d+)", serve)
    assert timeout and timeout.group(1) == timeout.group(2)
    # libpq, under Django's connection, takes it from the environment: a longer query is cancelled
    asks = """
from django.db import OperationalError, connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
    try:
        cursor.execute("SELECT pg_sleep(2)")
        print("finished")
    except OperationalError as exc:
        print("cancelled" if "statement timeout" in str(exc) else exc)
"""
    env = {**os.environ, "PGOPTIONS": "-c statement_timeout=300ms"}
    shown = subprocess.run([sys.executable, "manage.py", "shell", "-c", asks], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.splitlines()[-2:] == ["300ms", "cancelled"]


def test_every_environment_variable_the_settings_read_is_in_the_readmes_configuration_table():
    read = set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"', (ROOT / "config" / "settings.py").read_text()))
    read |= set(re.findall(r'os\.environ\.setdefault\("([A-Z_]+)"', (ROOT / "config" / "__init__.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration"):readme.index("## Architecture")]
    documented = set(re.findall(r"^\| (.*?) \|", table, re.MULTILINE))
    documented = {name for cell in documented for name in re.findall(r"`([A-Z_]+)`", cell)}
    assert len(read) > 20
    assert read - documented == set()


def test_the_containers_health_check_is_answered_under_production_settings():
    # docker-compose.yml's check asks http://127.0.0.1:8000/healthz: not an allowed host, not HTTPS
    assert "http://127.0.0.1:8000/healthz" in (ROOT / "docker-compose.yml").read_text()
    asks = """
from django.test import Client
client = Client()
check = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
print(check.status_code, check.content.decode(), check.has_header("Content-Security-Policy"), check.has_header("X-Frame-Options"))
print(client.get("/login/", HTTP_HOST="127.0.0.1:8000").status_code, client.get("/login/", HTTP_HOST="tracker.example.org").status_code)
"""
    answered = manage("shell", "-c", asks, env={**os.environ, **PRODUCTION})
    assert answered.returncode == 0, answered.stderr
    # the check is answered, with the headers of every response; every other address still checks
    # the host (400), then the scheme (a redirect to HTTPS)
    assert answered.stdout.splitlines()[-2:] == ['200 {"status": "ok"} True True', "400 301"], answered.stdout


def test_the_images_collectstatic_succeeds_and_holds_every_file_the_templates_name(tmp_path):
    # the Dockerfile runs collectstatic under DEBUG=0, where static files are named through
    # WhiteNoise's manifest: a template naming a file the manifest lacks is a 500 in production only
    collect = f"""
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.STATIC_ROOT = {str(tmp_path)!r}
call_command("collectstatic", "--noinput", verbosity=0)
"""
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings"}
    collected = subprocess.run([sys.executable, "-c", collect], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    named = {name for template in (ROOT / "templates").rglob("*.html")
             for name in re.findall(r"""{% static ['"]([^'"]+)['"] %}""", template.read_text())}
    assert len(named) > 10
    assert named - set(manifest) == set()


def production_distributions() -> set[str]:
    """The distributions `pip install .` brings (the project's dependencies, with their extras,
    and theirs), as installed here: what the Docker image has, without the test extras."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    waiting = [Requirement(line) for line in project["dependencies"]]
    found: set[str] = set()
    while waiting:
        requirement = waiting.pop()
        if normal(requirement.name) in found:
            continue
        found.add(normal(requirement.name))
        for line in metadata.distribution(requirement.name).requires or []:
            needed = Requirement(line)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                waiting.append(needed)
    return found


def test_what_the_production_processes_import_is_installed_without_the_test_extras():
    # kombu's Redis transport needs `packaging`, which only its `redis` extra brings: here pytest
    # brought it, in the image nothing did, and no process reached the broker. The web and worker
    # entry points are imported with every distribution `pip install .` does not bring hidden, as
    # in the image (a module imported only when present, as kombu does msgpack, is then skipped)
    imports = """
import json, re, sys, importlib.metadata as metadata
allowed = set(json.loads(sys.argv[1]))
def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()
hidden = {top for top, dists in metadata.packages_distributions().items() if not {normal(d) for d in dists} & allowed}
class Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in hidden:
            raise ModuleNotFoundError(f"No module named {name!r} (not installed by pip install .)", name=name)
        return None
sys.meta_path.insert(0, Hidden())
import django
django.setup()
from config.wsgi import application  # the web process
from django.urls import get_resolver
get_resolver().url_patterns  # every view
import importlib, pathlib
for command in pathlib.Path(".").glob("*/management/commands/[a-z]*.py"):  # every command
    importlib.import_module(".".join(command.with_suffix("").parts))
from config.celery import app
app.loader.import_default_modules()  # the worker's task modules
app.connection_for_write().transport  # the broker's transport
import celery.apps.worker, celery.apps.beat, gunicorn.app.wsgiapp
print("imported")
"""
    allowed = production_distributions() | {"policing-tracker"}
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"}
    ran = subprocess.run([sys.executable, "-c", imports, json.dumps(sorted(allowed))], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert {"django", "celery", "kombu", "numpy", "packaging"} <= allowed
    assert ran.returncode == 0 and ran.stdout.splitlines()[-1] == "imported", ran.stderr[-3000:]


def test_the_env_example_holds_every_variable_compose_asks_for():
    asked = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert asked and asked == example
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_a_compose_env_file_in_the_checkout_changes_nothing_the_app_reads(tmp_path):
    # the settings read only the environment: production's .env beside docker-compose.yml must not
    # turn `make run` or the tests in the same checkout into a production configuration. A copy of
    # the checkout's config, with .env.example filled in beside it as compose wants it:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copy(ROOT / "manage.py", tmp_path)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text().replace("SECRET_KEY=\n", "SECRET_KEY=production\n"))
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    read = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SITE_URL)"
    shown = subprocess.run([sys.executable, "manage.py", "shell", "-c", read], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert shown.stdout.splitlines()[-1] == "True ['127.0.0.1', 'localhost', 'testserver'] http://127.0.0.1:8000", shown.stderr
