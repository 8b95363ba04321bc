"""Operations (issue 12, item 11; SECURITY.md rows 6, 28, 29, 36): /healthz reports a stale worker,
serve.sh restarts a dead one, security headers on every answer (the API's docs page included),
`check --deploy` is clean in the production profile, SQLite is refused in the level-3 profile."""

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tongxin.core.checks import sqlite_errors, transport_errors
from tongxin.core.roles import Role
from tongxin.jobs.models import WorkerHeartbeat
from tongxin.jobs.services import heartbeat
from tongxin.testing import make_user

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ROOT / "scripts"


# ---- /healthz --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_ok_while_the_worker_beats():
    heartbeat(worker="host:1")
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_degraded_when_the_heartbeat_is_stale(settings):
    settings.TONGXIN_WORKER_STALE_SECONDS = 60
    heartbeat(worker="host:1")
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert "worker" in body["stale"] and "limit 60 s" in body["stale"]["worker"]
    heartbeat(worker="host:2")  # a restarted worker beats again
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_is_degraded_when_no_worker_ever_ran():
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["stale"]["worker"] == "no worker has ever written a heartbeat"


# ---- the worker's supervisor ------------------------------------------------------------------


def test_the_supervisor_starts_a_dead_worker_again_and_stops_with_it(tmp_path):
    runs = tmp_path / "runs"
    crash = f"echo run >> {runs}; exit 3"
    supervisor = subprocess.Popen(
        ["sh", str(SCRIPTS / "supervise.sh"), "sh", "-c", crash],
        env={**os.environ, "SUPERVISE_DELAY": "0.1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (not runs.exists() or len(runs.read_text().split()) < 3):
            time.sleep(0.1)
        assert len(runs.read_text().split()) >= 3  # crashed twice, started again each time
    finally:
        supervisor.send_signal(signal.SIGTERM)
        _, errors = supervisor.communicate(timeout=10)
    assert supervisor.returncode == 0
    assert "exited with status 3; starting it again" in errors
    count = len(runs.read_text().split())
    time.sleep(0.5)
    assert len(runs.read_text().split()) == count  # stopped for good


def test_a_long_running_worker_is_stopped_with_its_supervisor(tmp_path):
    pid_file = tmp_path / "pid"
    supervisor = subprocess.Popen(
        ["sh", str(SCRIPTS / "supervise.sh"), "sh", "-c", f"echo $$ > {pid_file}; exec sleep 60"],
        env={**os.environ, "SUPERVISE_DELAY": "0.1"},
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (pid_file.exists() and pid_file.read_text().strip()):
        time.sleep(0.05)
    worker = int(pid_file.read_text())
    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.1)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to collect it is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_serve_runs_the_worker_under_the_supervisor():
    serve = (SCRIPTS / "serve.sh").read_text()
    assert re.search(r'supervise\.sh" "\$BIN/tongxin" worker &', serve)


# ---- headers ----------------------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    parts = [p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";")]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.mark.django_db
def test_every_page_carries_the_security_headers():
    client = Client()
    first, second = client.get("/login/"), client.get("/login/")
    for response in (first, second):
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        policy = _csp(response)
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", policy["script-src"])
        for directive, sources in policy.items():
            assert "http" not in sources and "*" not in sources, (directive, sources)  # no other host
    assert _csp(first)["script-src"] != _csp(second)["script-src"]  # a nonce per response


@pytest.mark.django_db
def test_the_api_docs_page_has_the_policy_and_loads_nothing_from_another_host(tree):
    client = Client()
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert _csp(response)["script-src"].startswith("'self' 'nonce-")
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


@pytest.mark.django_db
def test_personal_data_is_never_kept_by_the_browser(tree):
    """SECURITY.md row 28: a signed-in user's pages and every API answer say no-store."""
    client = Client()
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    assert client.get("/people/")["Cache-Control"] == "no-store"
    assert client.get("/api/v1/people")["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me")["Cache-Control"] == "no-store"
    assert Client().get("/api/v1/people")["Cache-Control"] == "no-store"  # even the 401


@pytest.mark.django_db
def test_hsts_and_the_https_redirect_when_tls_is_on(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# ---- system checks ----------------------------------------------------------------------------


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TONGXIN_", "DJANGO_", "DATABASE_URL"))
    }
    environment.update({"TONGXIN_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "tongxin", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_check_deploy_is_clean_in_the_production_profile(tmp_path):
    result = _check_deploy(tmp_path, TONGXIN_TLS="1", TONGXIN_ALLOWED_HOSTS="tongxin.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_tls(tmp_path):
    result = _check_deploy(tmp_path, TONGXIN_ALLOWED_HOSTS="tongxin.example.org")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_the_level3_profile_refuses_sqlite():
    sqlite = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
    postgres = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}}
    assert [e.id for e in sqlite_errors(sqlite, mlps3=True)] == ["tongxin.C001"]
    assert sqlite_errors(postgres, mlps3=True) == []
    assert sqlite_errors(sqlite, mlps3=False) == []


def test_the_level3_profile_refuses_plain_http():
    assert [e.id for e in transport_errors(tls=False, mlps3=True)] == ["tongxin.C002"]
    assert transport_errors(tls=True, mlps3=True) == []
    assert transport_errors(tls=False, mlps3=False) == []


def test_the_level3_profile_on_sqlite_fails_check(tmp_path):
    result = _check_deploy(
        tmp_path,
        TONGXIN_TLS="1",
        TONGXIN_ALLOWED_HOSTS="tongxin.example.org",
        TONGXIN_SECURITY_PROFILE="mlps3",
    )
    assert result.returncode != 0
    assert "tongxin.C001" in result.stderr
