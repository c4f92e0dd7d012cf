"""Throwaway servers and the application's own processes, for the fault and scale-out tests.

- ``Postgres``: a PostgreSQL cluster of its own (``initdb`` in a temporary folder, a free port), which
  a test may stop, crash and start again; the shared server on 5432 is never touched.
- ``Redis``: a ``redis-server`` of its own on a free port (no persistence), which a test may kill.
- ``App``: the e-loket as it runs in production, as separate processes: gunicorn (``config.wsgi``)
  and django-q2 clusters (``manage.py qcluster``), configured only through the environment; plus
  ``App.call`` for one-off scripts (``tests.faults.scripts``) that seed data or enqueue a task.

Every process is started in a session of its own, so a test can kill -9 it with its children (a
qcluster is a sentinel with a pusher, a monitor and worker processes) by its process-group id.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("ELOKET_FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, every: float = 0.1, describe=None):
    """Poll ``predicate`` until it returns something truthy (returned), or fail after ``timeout``
    (with ``describe()`` in the message, to tell what state things were left in)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(every)  # polling a process or a server, not a timed assertion
    state = f"; {describe()}" if describe is not None else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r}){state}")


def binaries_missing() -> list[str]:
    needed = [PG_BIN / "initdb", PG_BIN / "pg_ctl"]
    missing = [str(path) for path in needed if not path.exists()]
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    return missing


# -- PostgreSQL ------------------------------------------------------------------------------------


@dataclass
class Postgres:
    """A PostgreSQL cluster in ``root``, on ``port``. initdb refuses to run as root, so under root
    (CI) the server runs as the ``postgres`` system user."""

    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def init(self) -> Postgres:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres")
        result = subprocess.run(
            self._as_owner(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]
            ),
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"initdb failed: {result.stderr[-2000:]}"
        return self

    def start(self) -> None:
        # fsync off: a throwaway cluster; "immediate" stops below are crashes of the server process,
        # not of the machine, so nothing committed is lost by it.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            self._as_owner(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
        )

    def stop(self, mode: str = "fast") -> None:
        """``fast``: a clean shutdown that ends every session; ``immediate``: the server processes
        quit at once, as in a crash, and the next start recovers from the WAL."""
        subprocess.run(
            self._as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            check=True,
            capture_output=True,
            text=True,
        )

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, params=None, *, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        ) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def clone(self, template: str, name: str) -> str:
        """A fresh database copied from a migrated template (milliseconds, instead of migrating)."""
        self.query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.query(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)


# -- Redis -----------------------------------------------------------------------------------------


@dataclass
class Redis:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, timeout=10, what=f"redis-server on {self.port}")
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# -- The application's processes -------------------------------------------------------------------

# What a production machine sets (docs/deployment.md), minus what only HTTPS or a public address allows
# (the processes speak plain HTTP on loopback, and webhooks go to a receiver on this machine).
BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    "DJANGO_DEBUG": "false",
    "ELOKET_DEMO_MODE": "false",
    "DJANGO_SECRET_KEY": "faults-test-secret-" + "x" * 40,
    "IDENTIFIER_HASH_KEY": "faults-test-identifier-key",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_TIMEOUT": "5",
    "ELOKET_WEBHOOK_ALLOW_LOCAL": "true",
    "ELOKET_WEBHOOK_TIMEOUT_SECONDS": "3",
    "ELOKET_SITE_URL": "https://eloket.example.be",
    "Q_WORKERS": "2",
    "Q_SYNC": "false",
    "ELOKET_ONLINE_PAYMENTS": "false",
}
_PROJECT_PREFIXES = ("DJANGO_", "ELOKET_", "DATABASE_", "Q_", "EMAIL_", "REDIS_", "CACHE_", "STRIPE_")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    base: str = ""  # a web process's URL

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """kill -9 the process and every child it started (its process group)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=20)
        else:  # its children may outlive it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class App:
    """The e-loket's processes against one database, one Redis and one SMTP server."""

    workdir: Path
    environment: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    @classmethod
    def configure(cls, workdir: Path, **settings: str) -> App:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_PROJECT_PREFIXES)}
        env.update(BASE_ENV)
        env.update({k: str(v) for k, v in settings.items()})
        env["PYTHONPATH"] = str(REPO)
        workdir.mkdir(parents=True, exist_ok=True)
        return cls(workdir=workdir, environment=env)

    def _start(self, name: str, command: list[str]) -> Process:
        log = self.workdir / f"{name}.log"
        handle = log.open("ab")
        popen = subprocess.Popen(
            command,
            cwd=REPO,
            env=self.environment,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        process = Process(name=name, popen=popen, log=log)
        self.processes.append(process)
        return process

    def web(
        self, name: str, *, port: int | None = None, workers: int = 2, wait: bool = True
    ) -> tuple[Process, str]:
        """gunicorn with ``workers`` processes on a loopback port; returns it and its base URL
        (``wait=False``: without waiting for it to answer; ``ready`` does)."""
        port = port or free_port()
        process = self._start(
            name,
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ],
        )
        process.base = f"http://127.0.0.1:{port}"
        if wait:
            self.ready(process)
        return process, process.base

    def worker(self, name: str, *, wait: bool = True) -> Process:
        """A django-q2 cluster (sentinel, pusher, monitor, ``Q_WORKERS`` workers)."""
        process = self._start(name, [sys.executable, "manage.py", "qcluster"])
        if wait:
            self.ready(process)
        return process

    def ready(self, *processes: Process) -> None:
        """Wait until each web process answers and each cluster says it is running."""
        for process in processes:
            if process.base:
                up = lambda p=process: not p.alive() or _answers(p.base)  # noqa: E731
            else:
                up = lambda p=process: not p.alive() or "running." in p.output()  # noqa: E731
            wait_until(up, timeout=90, what=f"{process.name} to start", every=0.2)
            assert process.alive(), process.output()[-3000:]

    def call(self, command: str, **arguments):
        """Run ``tests.faults.scripts.<command>(**arguments)`` in a fresh process; its JSON result."""
        result = subprocess.run(
            [sys.executable, "-m", "tests.faults.scripts", command, json.dumps(arguments)],
            cwd=REPO,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, f"{command} failed:\n{result.stderr[-4000:]}"
        return json.loads(result.stdout.strip().splitlines()[-1])

    def stop_all(self) -> None:
        """Throwaway processes: killed, not stopped gracefully (a qcluster's clean stop waits for its
        workers)."""
        for process in reversed(self.processes):
            process.kill()
        self.processes.clear()


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/nl/dossier-openen/", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False
