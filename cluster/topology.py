"""Start the scaled-out site on loopback: PostgreSQL, Redis, app servers, task workers, HAProxy.

    Topology(workdir, app_servers=2, task_workers=2).start()

PostgreSQL comes from `scripts/with-postgres`, which runs this with DATABASE_URL set; this
starts the rest, each in its own process group, so one can be killed as a machine would die,
and `stop()` ends them all. `make cluster` runs it (`python -m cluster`); so does the topology
test (`cluster/check.py`).
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
COMMANDS = {"redis-server": "redis-server", "haproxy": "haproxy"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def missing_commands() -> list[str]:
    """The Debian packages whose commands are not on PATH."""
    return [package for package, command in COMMANDS.items() if not shutil.which(command)]


def wait_for(url: str, seconds: float = 60) -> None:
    """Wait until `url` answers 200."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.2)


def create_database(url: str) -> None:
    """Create DATABASE_URL's database on its server when it is not there yet."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


class Process:
    """A command in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name, self.log = name, log
        self.popen = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def descendants(self) -> list[int]:
        """The process ids of its children, theirs, and so on (from /proc)."""
        found, todo = [], [self.popen.pid]
        while todo:
            pid = todo.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            found += map(int, children)
            todo += map(int, children)
        return found

    def kill(self) -> None:
        """SIGKILL it and every process it started, as if its machine died.

        Its whole tree, not just its group: an RQ worker's work horse leaves the group.
        """
        if self.alive:
            for pid in [self.popen.pid, *self.descendants()]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self, seconds: float = 15) -> None:
        if not self.alive:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.kill()


class Topology:
    """The cluster's processes and addresses; everything it writes goes under `workdir`."""

    def __init__(self, workdir: Path, *, app_servers=2, task_workers=2, web_concurrency=2):
        self.workdir = Path(workdir)
        self.logs = self.workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.app_servers, self.task_workers = app_servers, task_workers
        self.web_concurrency = web_concurrency
        self.front_port = free_port()
        self.redis_port = free_port()
        self.app_ports = [free_port() for _ in range(app_servers)]
        self.stats_socket = self.workdir / "haproxy.sock"
        self.processes: dict[str, Process] = {}
        threads = int(os.environ.get("GUNICORN_THREADS", "4"))
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("DATABASE_URL is not set: run through scripts/with-postgres")
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "HTTPS": "0",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "BEHIND_PROXY": "1",
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            # One pooled connection per gunicorn thread in each worker process.
            "DATABASE_POOL_MAX": os.environ.get("DATABASE_POOL_MAX", str(threads)),
            "GUNICORN_THREADS": str(threads),
            "WEB_CONCURRENCY": str(web_concurrency),
            "QUIZSITE_VAR_DIR": str(self.workdir / "var"),
            "STATIC_ROOT": str(self.workdir / "static"),
            # Shared by every process here; on several machines, a shared file system.
            "EXPORTS_DIR": str(self.workdir / "exports"),
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "DJANGO_SETTINGS_MODULE": "quizsite.settings",
            "PYTHONPATH": str(ROOT),
        }

    @property
    def front(self) -> str:
        return f"http://{HOST}:{self.front_port}"

    def app_url(self, index: int) -> str:
        return f"http://{HOST}:{self.app_ports[index]}"

    def manage(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True
        )

    def _start(self, name: str, command: list[str]) -> Process:
        process = Process(name, command, self.env, self.logs / f"{name}.log")
        self.processes[name] = process
        return process

    def start(self) -> "Topology":
        """Start everything and wait until the front answers through the load balancer."""
        self._start(
            "redis",
            ["redis-server", "--bind", HOST, "--port", str(self.redis_port), "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
        )  # fmt: skip
        create_database(self.env["DATABASE_URL"])
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("load_course", "--verbosity", "0")
        if self.env.get("DEMO_ACCOUNTS") == "1":
            self.manage("ensure_demo_users")
        for index in range(self.app_servers):
            self.start_app_server(index)
        for index in range(self.task_workers):
            self.start_task_worker(index)
        for index in range(self.app_servers):
            wait_for(f"{self.app_url(index)}/healthz")
        self._start("haproxy", ["haproxy", "-db", "-f", str(self._haproxy_config())])
        wait_for(f"{self.front}/healthz")
        return self

    def start_app_server(self, index: int) -> Process:
        """gunicorn as `make serve` runs it (gunicorn.conf.py; WEB_CONCURRENCY workers)."""
        return self._start(
            f"app{index + 1}",
            [sys.executable, "-m", "gunicorn", "quizsite.wsgi", "--config",
             str(ROOT / "gunicorn.conf.py"), "--bind", f"{HOST}:{self.app_ports[index]}",
             "--backlog", "2048"],
        )  # fmt: skip

    def start_task_worker(self, index: int) -> Process:
        """An RQ worker (quizsite/task_queue.py), with the scheduler for deferred tasks."""
        return self._start(
            f"worker{index + 1}",
            [sys.executable, "manage.py", "rqworker", "default", "--with-scheduler",
             "--name", f"worker{index + 1}-{secrets.token_hex(3)}"],
        )  # fmt: skip

    def _haproxy_config(self) -> Path:
        servers = "\n".join(
            f"    server app{i + 1} {HOST}:{port} check" for i, port in enumerate(self.app_ports)
        )
        text = (
            (ROOT / "cluster" / "haproxy.cfg")
            .read_text()
            .format(
                stats_socket=self.stats_socket,
                front_port=self.front_port,
                servers=servers,
                maxconn=self.web_concurrency * int(self.env["GUNICORN_THREADS"]),
            )
        )
        path = self.workdir / "haproxy.cfg"
        path.write_text(text)
        return path

    def server_states(self) -> dict[str, str]:
        """Each app server's state as HAProxy sees it now (UP, DOWN, …), from its stats socket."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.stats_socket))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row["status"].split()[0]
            for row in rows
            if row.get("pxname") == "app" and row["svname"] not in {"FRONTEND", "BACKEND"}
        }

    def stop(self) -> None:
        """Stop every process, the load balancer first."""
        for name in ["haproxy", *[n for n in self.processes if n not in {"haproxy", "redis"}]]:
            if name in self.processes:
                self.processes[name].stop()
        if "redis" in self.processes:
            self.processes["redis"].stop()
