"""Running real ippo processes (server, task worker, management commands) on a temporary data dir."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ippo_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "IPPO_ENCRYPTION_KEY", "SECRET_KEY"}
    }
    env.pop("IPPO_TESTING", None)
    env.update({"IPPO_DATA_DIR": str(data_dir), "IPPO_ACCESS_LOG": "0", "IPPO_LOG_LEVEL": "WARNING", **extra})
    return env


def ippo(data_dir: Path, *args: str, env: dict | None = None, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ippo.cli", *args],
        env=env or ippo_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def shell(data_dir: Path, code: str, env: dict | None = None) -> str:
    return ippo(data_dir, "shell", "-c", code, env=env)


def start(data_dir: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """Start `ippo <args>` in its own process group (so it and its children can be killed together)."""
    return subprocess.Popen(
        [sys.executable, "-m", "ippo.cli", *args],
        env=env or ippo_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {proc.stderr.read().decode()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")
