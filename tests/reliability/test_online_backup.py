"""An online backup taken while the real server takes concurrent writes is consistent and restorable."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.reliability.helpers import free_port, ippo, kill_group, shell, start, wait_http
from tests.reliability.test_crash import SETUP


def test_backup_during_concurrent_writes_restores_consistently(data_dir, tmp_path):
    token = shell(data_dir, SETUP).strip().splitlines()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(data_dir, "serve", "--no-worker", "--no-migrate", "--port", str(port), "--workers", "2")
    acknowledged: list[tuple[float, str]] = []
    stop = threading.Event()
    archive = tmp_path / "online.tar.gz"
    try:
        wait_http(f"{base}/healthz", server)

        def writer(n: int) -> None:
            i = 0
            while not stop.is_set():
                title = f"w{n}-{i}"
                i += 1
                request = urllib.request.Request(
                    f"{base}/api/v1/orgs/crash/action-items",
                    data=json.dumps({"title": title}).encode(),
                    method="POST",
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        if response.status == 201:
                            acknowledged.append((time.monotonic(), title))
                except (urllib.error.URLError, OSError):
                    time.sleep(0.05)

        with ThreadPoolExecutor(6) as pool:
            for n in range(6):
                pool.submit(writer, n)
            while len(acknowledged) < 40:
                time.sleep(0.02)
            started = time.monotonic()
            ippo(data_dir, "backup", "create", str(archive))  # while the writers keep writing
            finished = time.monotonic()
            while len(acknowledged) < 40 + 40:
                time.sleep(0.02)
            stop.set()
    finally:
        stop.set()
        kill_group(server)
    before = {t for at, t in acknowledged if at < started}
    after = {t for at, t in acknowledged if at > finished}
    assert after, "no write happened after the backup: the test proves nothing"

    ippo(data_dir, "backup", "verify", str(archive))
    restored = tmp_path / "restored"
    ippo(restored, "restore", str(archive))
    conn = sqlite3.connect(restored / "ippo.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = {row[0] for row in conn.execute("SELECT title FROM program_actionitem")}
        items = conn.execute("SELECT COUNT(*) FROM program_actionitem").fetchone()[0]
        # Each item and its audit event are written in one transaction: the snapshot never splits it.
        events = conn.execute("SELECT COUNT(*) FROM core_auditevent WHERE action = 'actionitem.created'").fetchone()[0]
    finally:
        conn.close()
    assert events == items
    ippo(restored, "audit", "verify")  # the restored audit log's hash chain is intact
    assert before <= titles, "a write acknowledged before the backup started is missing"
    assert not (after & titles), "a write made after the backup finished is in it"
    assert items == len(titles)
