"""The `ippo` console commands, run as real processes like an operator would."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from ippo.core.audit import audit_verify
from ippo.core.models import AuditEvent, Membership, Organization


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"IPPO_TESTING", "DATABASE_URL", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(IPPO_DATA_DIR=str(tmp_path), **extra)
    return env


def _ippo(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "ippo.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_the_production_server_and_the_task_worker(tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ippo.cli", "serve", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # migrate + collectstatic of every app first; slow on a busy machine
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("ippo serve did not answer within two minutes")
                time.sleep(0.25)
        with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as r:
            page = r.read().decode()
            assert r.headers["Server"].startswith("gunicorn")
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        css = page.split('href="', 2)[1].split('"')[0] if 'rel="stylesheet"' in page else ""
        assert css.startswith("/static/ippo/css/ippo.")
        with urllib.request.urlopen(base + css, timeout=5) as r:
            assert r.status == 200 and b"--brand" in r.read()
        assert (tmp_path / "ippo.sqlite3").exists()
        deadline = time.monotonic() + 60  # the task worker starts after the web server; slower on a busy machine
        while "Starting worker" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.25)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    output = log.read_text()
    assert "Starting worker" in output, output[-2000:]
    assert "ippo is ready" in output
    assert proc.returncode == 0, output[-2000:]


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    env = _env(
        tmp_path,
        IPPO_PRODUCTION="1",
        ALLOWED_HOSTS="ippo.example.co.jp",
        SECRET_KEY=secrets.token_urlsafe(50),
        IPPO_BASE_URL="https://ippo.example.co.jp",
    )
    result = _ippo("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_allowed_hosts(tmp_path):
    env = _env(tmp_path, IPPO_PRODUCTION="1")
    env.pop("ALLOWED_HOSTS", None)
    result = _ippo("check", env=env)
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


def test_demo_is_idempotent_and_audited(db, capsys):
    call_command("demo")
    call_command("demo")
    out = capsys.readouterr().out
    assert "owner@example.com" in out and "ippo-demo-2026" in out
    with scopes_disabled():
        org = Organization.objects.get(slug="demo")
        roles = sorted(Membership.objects.filter(organization=org).values_list("role", flat=True))
    assert org.is_demo
    assert roles == sorted(["owner", "manager", "member", "advisor", "viewer"])
    assert AuditEvent.objects.filter(action="org.demo_loaded", via="cli").count() == 2
    assert audit_verify().ok


def test_demo_password_option_sets_the_password(db):
    from ippo.accounts.models import User

    call_command("demo", password="another-demo-pass-1")
    assert User.objects.get(email="viewer@example.com").check_password("another-demo-pass-1")
