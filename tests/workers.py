"""Real parts for the job tests: a test-owned redis-server and `flask jobs worker` processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"
# Settings the worker must not inherit from the developer's shell.
APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "MAIL_URL", "MAIL_FROM", "QUARTIER_ENV",
                 "QUARTIER_INSTANCE_PATH", "MAIL_RETRY_MAX", "MAIL_RETRY_INTERVALS",
                 "MAIL_BATCH_SIZE", "SECRET_KEY")
# Short RQ timings, so a killed worker's job is found abandoned within seconds.
FAST_WORKER_OPTIONS = ("--worker-ttl", "20", "--maintenance-interval", "1",
                       "--job-monitoring-interval", "1", "--heartbeat-grace", "3",
                       "--relay-interval", "1", "--relay-older-than", "1")


def wait_for(condition, timeout: float = 20.0, interval: float = 0.05, message: str = ""):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message or condition}")


class RedisServer:
    """A redis-server of this test session on its own port, without persistence."""

    def __init__(self, port: int, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> None:
        if self.process is not None:
            return
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._answers, timeout=10, message=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.exceptions.ConnectionError:
            return False


def worker_environment(database_url, instance_path, redis_url, mail_url, **settings) -> dict:
    """The environment of a worker process on the test's database, Redis and SMTP server."""
    environment = {name: value for name, value in os.environ.items() if name not in APP_VARIABLES}
    environment.update(DATABASE_URL=database_url, REDIS_URL=redis_url, MAIL_URL=mail_url,
                       QUARTIER_ENV="test", QUARTIER_INSTANCE_PATH=str(instance_path),
                       MAIL_FROM="Quartier <noreply@quartier.test>", PYTHONUNBUFFERED="1")
    environment.update({name.upper(): str(value) for name, value in settings.items()})
    return environment


@contextmanager
def running_worker(environment: dict, log_path: Path, *options: str):
    """A `flask jobs worker` process (its own process group); stopped on leaving."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(FLASK), "--app", "wsgi", "jobs", "worker", *FAST_WORKER_OPTIONS, *options],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        yield process
    finally:
        stop_worker(process)


def stop_worker(process: subprocess.Popen) -> None:
    """Ask the worker's group to stop; kill what is left after ten seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    if process.poll() is None:
        kill_worker(process)


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the worker, its work horse and its scheduler: a machine that died.

    RQ puts each work horse in a process group of its own, so the horse is
    found among the worker's descendants, collected before anything dies.
    """
    family = [process.pid, *descendants(process.pid)]
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (from /proc), children first."""
    children_of: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended while we looked
        children_of.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children_of.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
