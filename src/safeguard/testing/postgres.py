"""A throwaway PostgreSQL server for tests: made in a temporary folder, gone at exit.

    from safeguard.testing.postgres import throwaway_cluster

    with throwaway_cluster() as url:   # postgres://safeguard_app@127.0.0.1:PORT/safeguard
        ...

It needs PostgreSQL's server programs (``initdb``, ``pg_ctl``, ``postgres``), looked for
on ``PATH`` first and then under ``/usr/lib/postgresql/*/bin`` (where Debian puts them).
The server listens on 127.0.0.1 only, on a free port, with its Unix socket inside the
temporary folder, and trusts every connection it accepts (loopback only). Durability is
switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``): the data is thrown
away anyway, and tests run faster. Autovacuum is off: the tests write in transactions they
roll back, and autovacuum, clearing those rows, can leave a table's statistics saying that
its pages hold no rows at all; the next test to write thousands of rows (a demo build) is
then planned as if each table held one, with nested loops over whole tables taking seconds
a query. Without it, the planner estimates from each table's size as it is.

The URL names an ordinary role (``safeguard_app``: no superuser, no ``BYPASSRLS``; it may
create databases, for the test database) that owns the database, as production's role
should: a superuser would pass through row-level security (``safeguard.cases.rls``), and
the tests are to run with it in force. ``superuser=True`` gives the cluster's superuser.

PostgreSQL refuses to run as root. Run as root, the cluster belongs to the ``postgres``
user if there is one, else ``nobody``, and every server program runs through
``runuser -u USER --`` (or, where util-linux's runuser is missing, as that user directly).

Plain Python on purpose: no Django import, so a test runner can start the server before
Django reads its settings.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PostgresNotFound", "ServerPrograms", "find_server_programs", "throwaway_cluster"]

DEFAULT_DATABASE = "safeguard"
#: The ordinary role the URL names, which owns the database.
APP_ROLE = "safeguard_app"
START_TIMEOUT_SECONDS = 60
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "autovacuum": "off",
}


class PostgresNotFound(RuntimeError):
    """PostgreSQL's server programs are not installed (or not where we look)."""


@dataclass(frozen=True)
class ServerPrograms:
    initdb: Path
    pg_ctl: Path
    postgres: Path

    @property
    def bin_dir(self) -> Path:
        return self.initdb.parent


def _version_key(bin_dir: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin → (15,): the newest installed version wins.
    name = Path(bin_dir).parent.name
    return tuple(int(part) for part in name.split(".") if part.isdigit()) or (0,)


def find_server_programs() -> ServerPrograms:
    """initdb, pg_ctl and postgres from one installation: ``PATH`` first, then Debian's."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb may be a link into /usr/lib/postgresql/15/bin; follow it so
        # the three programs come from one version.
        candidates.append(Path(on_path).resolve().parent)
        candidates.append(Path(on_path).parent)
    candidates.extend(
        Path(d) for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key,
                                reverse=True)
    )
    for bin_dir in candidates:
        programs = [bin_dir / name for name in ("initdb", "pg_ctl", "postgres")]
        if all(p.is_file() and os.access(p, os.X_OK) for p in programs):
            return ServerPrograms(*programs)
    raise PostgresNotFound(
        "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found on PATH or "
        "under /usr/lib/postgresql/*/bin; on Debian: apt-get install postgresql"
    )


def _runuser() -> str | None:
    """util-linux's runuser: on PATH, or in /usr/sbin, which a plain user's PATH may lack."""
    for candidate in (shutil.which("runuser"), "/usr/sbin/runuser", "/sbin/runuser"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The unprivileged user to run the server as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and neither a 'postgres' nor a 'nobody' user exists")


def _traversable_by_all(path: Path) -> bool:
    return all(
        p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents) if p.exists()
    )


def _base_dir(user: str | None) -> str | None:
    """Where to make the temporary folder: the usual place, unless the server's user
    could not reach it (a root-only TMPDIR, say)."""
    if user is None:
        return None
    default = Path(tempfile.gettempdir())
    return None if _traversable_by_all(default) else "/tmp"  # noqa: S108


class _Cluster:
    def __init__(self, programs: ServerPrograms, user: str | None, root: Path,
                 settings: dict[str, str] | None = None) -> None:
        self.programs = programs
        self.settings = {**SETTINGS, **(settings or {})}
        self.user = user
        self.root = root
        self.data = root / "data"
        self.socket_dir = root / "socket"
        self.log = root / "server.log"
        self.db_user = user or pwd.getpwuid(os.geteuid()).pw_name
        self.port = 0
        self.started = False

    def run(self, argv: Sequence[str | os.PathLike[str]]) -> None:
        command = [str(a) for a in argv]
        as_user: dict[str, Any] = {}
        if self.user is not None:
            runuser = _runuser()
            if runuser:
                command = [runuser, "-u", self.user, "--", *command]
            else:
                entry = pwd.getpwnam(self.user)
                as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        result = subprocess.run(  # noqa: S603 - our own arguments, no shell
            command,
            **as_user,
            cwd=self.root,  # the server's user may not be able to enter our own folder
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed with exit code {result.returncode}:\n"
                f"{result.stdout}\n{log}"
            )

    def init(self) -> None:
        self.socket_dir.mkdir()
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for path in (self.root, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self.run([
            self.programs.initdb,
            "--pgdata", self.data,
            "--username", self.db_user,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--no-locale",
            "--no-sync",
        ])
        # Loopback and the private socket only; trusted, as nothing else can reach them.
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        )

    def start(self) -> None:
        last_error: Exception | None = None
        for _attempt in range(3):  # another process may take the free port before we do
            self.port = _free_port()
            settings = {
                **self.settings,
                "port": str(self.port),
                "unix_socket_directories": f"'{self.socket_dir}'",
            }
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write("\n# safeguard.testing.postgres\n")
                conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
            try:
                self.run([
                    self.programs.pg_ctl, "start", "--pgdata", self.data, "--log", self.log,
                    "--wait", "--timeout", str(START_TIMEOUT_SECONDS), "--silent",
                ])
            except RuntimeError as exc:
                last_error = exc
                continue
            self.started = True
            return
        raise RuntimeError(f"the throwaway PostgreSQL server would not start: {last_error}")

    def create_role(self, name: str) -> None:
        """An ordinary login role that may create databases, and nothing more."""
        createuser = self.programs.bin_dir / "createuser"
        if createuser.is_file():
            self.run([createuser, "--host", self.socket_dir, "--port", str(self.port),
                      "--username", self.db_user, "--login", "--createdb", "--no-superuser",
                      "--no-createrole", "--no-replication", name])
            return
        self._execute("CREATE ROLE {} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION "
                      "NOBYPASSRLS", name)

    def create_database(self, name: str, owner: str) -> None:
        createdb = self.programs.bin_dir / "createdb"
        if createdb.is_file():
            self.run([createdb, "--host", self.socket_dir, "--port", str(self.port),
                      "--username", self.db_user, "--owner", owner, name])
            return
        self._execute("CREATE DATABASE {} OWNER {}", name, owner)

    def _execute(self, statement: str, *names: str) -> None:
        import psycopg  # only where the server came without its client programs
        from psycopg import sql

        with psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=self.db_user, dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql.SQL(statement).format(*(sql.Identifier(n) for n in names)))

    def stop(self) -> None:
        if self.started:
            self.started = False
            self.run([self.programs.pg_ctl, "stop", "--pgdata", self.data,
                      "--mode", "immediate", "--wait", "--silent"])

    def url(self, database: str, user: str) -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"


@contextlib.contextmanager
def throwaway_cluster(database: str = DEFAULT_DATABASE, *, superuser: bool = False,
                      settings: dict[str, str] | None = None) -> Iterator[str]:
    """Start a new PostgreSQL server with one empty database; yield its URL.

    The URL is ``postgres://safeguard_app@127.0.0.1:PORT/DATABASE`` with no password: the
    database's owner, an ordinary role (or, ``superuser=True``, the cluster's superuser).
    ``settings`` (``postgresql.conf``'s, as written there) add to or replace ``SETTINGS``.
    At exit the server is stopped and its folder removed, whatever happened inside the block.
    """
    programs = find_server_programs()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="safeguard-pg-", dir=_base_dir(user)))
    cluster = _Cluster(programs, user, root, settings)
    try:
        cluster.init()
        cluster.start()
        cluster.create_role(APP_ROLE)
        cluster.create_database(database, owner=APP_ROLE)
        yield cluster.url(database, cluster.db_user if superuser else APP_ROLE)
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
