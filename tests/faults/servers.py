"""Real servers that a fault run starts itself, on free ports, and may stop: gunicorn, PostgreSQL, SMTP.

Nothing here touches the machine's shared PostgreSQL or Redis: a run stops
only what it started (Redis comes from ``tests.workers.RedisServer``).
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine

from tests.conftest import free_port
from tests.workers import worker_environment

ROOT = Path(__file__).resolve().parents[2]
BOOT_SECONDS = 40
# The access log names the worker (pid) that answered each request, and the
# request's X-Probe header, by which a run finds its own requests again.
ACCESS_LOG_FORMAT = '%(p)s [%({x-probe}i)s] "%(r)s" %(s)s %(M)sms'
EXCEPTION_LINE = re.compile(r"^[a-z_.]*[A-Z]\w*(Error|Exception|Shutdown)\b")
ACCESS_LINE = re.compile(r'^<(\d+)> \[([^\]]*)\] "(\S+) (\S+) [^"]*" (\d{3}) ')


@dataclass(frozen=True)
class AccessLine:
    pid: int
    probe: str
    method: str
    path: str
    status: int


class Gunicorn:
    """Quartier under gunicorn (``config/gunicorn.conf.py``) in a subprocess of its own."""

    def __init__(self, environment: dict, log: Path, *, workers: int = 2,
                 app: str = "tests.faults.served_app:app", overrides: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.environment = {**environment, "QUARTIER_TEST_OVERRIDES": json.dumps(overrides or {}),
                            "WEB_CONCURRENCY": str(workers)}
        self.workers = workers
        self.command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                        "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                        "--access-logformat", ACCESS_LOG_FORMAT, app]
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.environment,
                                            stdout=output, stderr=subprocess.STDOUT)
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()  # never leave a server behind that nobody will stop
            raise
        return self

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok and self._all_workers_answer():
                    return
            except requests.RequestException:
                pass  # not listening yet, or a worker still booting
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer within {BOOT_SECONDS} s:\n{self.log_tail()}")

    def _all_workers_answer(self) -> bool:
        """Every worker has built its app (each booted worker has answered a request)."""
        for _ in range(10):
            requests.get(self.url + "/healthz", timeout=5)
        return len({line.pid for line in self.access_lines()}) >= self.workers

    def access_lines(self) -> list[AccessLine]:
        """Every request answered so far: which worker, its probe, method, path and status."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            match = ACCESS_LINE.match(line)
            if match:
                found.append(AccessLine(int(match[1]), match[2], match[3], match[4], int(match[5])))
        return found

    def worker_of_probe(self) -> dict[str, int]:
        """X-Probe header → the pid of the worker that answered it."""
        return {line.probe: line.pid for line in self.access_lines() if line.probe != "-"}

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def error_excerpt(self, max_lines: int = 40) -> str:
        """What the log says about errors: the error lines, our own frames, the exceptions raised."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        kept = [line for line in text.splitlines()
                if "[ERROR]" in line or "ERROR in" in line or "Exception on" in line
                or line.startswith(f'  File "{ROOT}/blueprints') or line.startswith(f'  File "{ROOT}/tenants')
                or EXCEPTION_LINE.match(line)]
        return "\n".join(kept[:max_lines])


def app_environment(database_url: str, instance_path: Path, redis_url: str | None,
                    mail_url: str | None, **settings) -> dict:
    """The environment of a gunicorn or worker process of a run (nothing from the developer's shell)."""
    environment = worker_environment(database_url, instance_path, redis_url or "", mail_url or "",
                                     **settings)
    environment.update(SECRET_KEY=environment.get("SECRET_KEY") or secrets.token_urlsafe(32),
                       MAP_TILE_URL="off")
    for name in ("REDIS_URL", "MAIL_URL"):
        if not environment[name]:
            del environment[name]
    return environment


# --- a PostgreSQL cluster of the run's own ------------------------------------------

def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl live (Debian keeps them out of PATH)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0)
    if not versions:
        raise AssertionError("initdb is missing: install PostgreSQL (Debian: postgresql), "
                             "whose /usr/lib/postgresql/<version>/bin the fault runs use.")
    return versions[-1].parent


class PostgresCluster:
    """``initdb`` in a temporary directory and ``pg_ctl`` on a free port; as the postgres user when root."""

    def __init__(self):
        self.port = free_port()
        self.bin = postgres_bin_dir()
        self.directory = Path(tempfile.mkdtemp(prefix="quartier-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:  # PostgreSQL refuses to run as root
            shutil.chown(self.directory, "postgres", "postgres")

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _pg(self, program: str, *arguments: str, timeout: float = 60) -> None:
        command = [str(self.bin / program), *arguments]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"{program} failed ({done.returncode}): {done.stdout}{done.stderr}"
                                 f"\n{self.log_tail()}")

    def init(self) -> PostgresCluster:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C", "--no-sync")
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def restart(self) -> None:
        """Stop (fast: every session is ended) and start again; returns once it accepts connections."""
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def create_database(self, name: str) -> str:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return self.database_url(name)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


# --- an SMTP server that can be stopped and started on its port ---------------------

class StoppableSmtp:
    """An aiosmtpd server on a fixed port around ``handler`` (e.g. GatedCollector)."""

    def __init__(self, handler, port: int | None = None):
        self.handler = handler
        self.port = port or free_port()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> StoppableSmtp:
        from aiosmtpd.controller import Controller

        if self.controller is None:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class CountingCollector:
    """An SMTP handler that keeps only the Message-ID of each accepted mail, found without parsing
    the whole message (a 2,000-mail campaign stays cheap for the test process).

    Like ``GatedCollector``, ``hold_at=n`` holds the n-th DATA until ``release()``
    and then refuses it, as its client is gone by then (the run kills the worker).
    """

    MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)

    def __init__(self, hold_at: int | None = None):
        self.message_ids: list[str] = []
        self.hold_at = hold_at
        self.data_seen = 0
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, smtp, session, envelope):
        self.data_seen += 1
        if self.data_seen == self.hold_at:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.01)
            return "451 Try again later"
        found = self.MESSAGE_ID.search(envelope.original_content or envelope.content)
        self.message_ids.append(found[1].decode() if found else "")
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self.released.set()
