"""`ippo serve`: migrate, collect static files, then run gunicorn and the background-task worker together.

One command for a single-company install. For larger deployments run `gunicorn ippo.wsgi` and
`ippo db_worker` as separate processes instead (docs/operations.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from ippo.lib.env import env_bool, env_int, env_str


class _Worker:
    """The django-tasks database worker as a child process, restarted if it dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.stopping = False

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 — our own interpreter and module
            [sys.executable, "-m", "ippo.cli", "db_worker", "--no-reload", "--interval", "1", "--queue-name", "*"],
            env=os.environ.copy(),
        )
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        delay = 1.0
        while not self.stopping:
            time.sleep(1)
            if self.proc and self.proc.poll() is not None and not self.stopping:
                sys.stderr.write(f"ippo: task worker exited ({self.proc.returncode}); restarting in {delay:.0f}s\n")
                time.sleep(delay)
                delay = min(delay * 2, 60)
                if not self.stopping:
                    self.proc = subprocess.Popen(  # noqa: S603
                        [sys.executable, "-m", "ippo.cli", "db_worker", "--no-reload", "--queue-name", "*"],
                        env=os.environ.copy(),
                    )

    def stop(self) -> None:
        self.stopping = True
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class _Clock:
    """Enqueues the periodic tasks (the programme's reminders and recurring work, retries of failed
    notifications) every IPPO_CLOCK_SECONDS. The tasks claim their work with conditional updates, so an
    extra tick — or a second clock — is harmless."""

    def __init__(self, interval: int) -> None:
        self.interval = interval
        self.stopping = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        from django.db import close_old_connections

        from ippo.core.tasks import retry_due_deliveries
        from ippo.program.tasks import tick

        while not self.stopping.wait(self.interval):
            try:
                tick.enqueue()
                retry_due_deliveries.enqueue()
            except Exception as exc:  # noqa: BLE001 — keep ticking; the next round may work
                sys.stderr.write(f"ippo: could not enqueue the periodic tasks: {exc}\n")
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopping.set()


class Command(BaseCommand):
    help = "Migrate, then serve ippo with gunicorn and run the background-task worker alongside."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=env_str("IPPO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("IPPO_PORT", 8000))
        parser.add_argument("--workers", type=int, default=env_int("IPPO_WEB_WORKERS", 2))
        parser.add_argument("--threads", type=int, default=env_int("IPPO_WEB_THREADS", 4))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")
        parser.add_argument("--no-migrate", action="store_true", help="Skip migrate and collectstatic.")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = _Worker()
        clock = _Clock(env_int("IPPO_CLOCK_SECONDS", 300))
        from gunicorn.app.base import BaseApplication

        bind = f"[{options['host']}]:{options['port']}" if ":" in options["host"] else f"{options['host']}:{options['port']}"
        gunicorn_options = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread",
            "timeout": 60,
            "graceful_timeout": 20,
            "keepalive": 5,
            "max_requests": 5000,
            "max_requests_jitter": 500,
            "accesslog": "-" if env_bool("IPPO_ACCESS_LOG", True) else None,
            # No client address and no user agent in the access log.
            "access_log_format": '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
            # Skips the anonymous reporting routes and the drill links (their path holds a recipient's token).
            "logger_class": "ippo.reporting.accesslog.AccessLogger",
            "forwarded_allow_ips": env_str("IPPO_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "proc_name": "ippo",
            "control_socket_disable": True,
            "when_ready": lambda server: (
                None if options["no_worker"] else (worker.start(), clock.start()),
                server.log.info("ippo is ready at http://%s/ (data: %s)", bind, settings.DATA_DIR),
            ),
        }

        from ippo.wsgi import application

        class _App(BaseApplication):
            def load_config(self):
                for key, value in gunicorn_options.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                return application

        from django.db import connections

        connections.close_all()  # never hand an open database connection to forked web workers
        try:
            _App().run()
        finally:
            clock.stop()
            worker.stop()
