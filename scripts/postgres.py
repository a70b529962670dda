"""Start a throwaway PostgreSQL server for the store tests: ``python3 scripts/postgres.py [command ...]``.

The baked projects' store tests run against SQLite and a real PostgreSQL. This
script (standard library only) makes a PostgreSQL server available on a fresh
Debian machine, as root or not:

1. finds the server programs under /usr/lib/postgresql/<version>/bin (or on
   PATH), installing Debian's ``postgresql`` package with apt-get if there are
   none;
2. creates a cluster in a temporary folder with initdb (as the ``postgres``
   user when run as root, because PostgreSQL refuses to run as root);
3. starts it with pg_ctl on 127.0.0.1 on a free port, with durability turned
   off because the data is thrown away;
4. creates a role with a password, and a database it owns.

The template's tests call :func:`start_server` once per session. From a shell,
with a command it runs the command with ``TEST_DATABASE_URL`` and
``REQUIRE_POSTGRES=1`` set and stops the server afterwards; without one it
prints the URL and keeps the server running until Ctrl-C::

    python3 scripts/postgres.py uv run pytest tests/test_store.py
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

SERVER_PROGRAMS = ("initdb", "pg_ctl", "psql")
DEBIAN_SERVER_DIRS = Path("/usr/lib/postgresql")
OS_USER = "postgres"  # the user Debian's package creates; initdb and postgres refuse to run as root
ROLE = "app_test"
DATABASE = "app_test"
START_TIMEOUT = 60  # seconds
# A throwaway cluster: nothing needs to survive a crash, so skip the work that guarantees it.
SERVER_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=50")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started: the message says why and what to do."""


def find_server_programs() -> Path | None:
    """The folder holding initdb, pg_ctl and psql: the newest Debian version, else the one on PATH."""

    def version(folder: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))

    candidates = sorted(DEBIAN_SERVER_DIRS.glob("*/bin"), key=version, reverse=True)
    if found := shutil.which("initdb"):
        candidates.append(Path(found).parent)
    for folder in candidates:
        if all((folder / program).is_file() for program in SERVER_PROGRAMS):
            return folder
    return None


def install_with_apt() -> None:
    """Install Debian's ``postgresql`` package (as root, or through sudo without a password prompt)."""
    if shutil.which("apt-get") is None:
        raise PostgresUnavailable(
            "No PostgreSQL server programs (initdb, pg_ctl) were found under /usr/lib/postgresql/*/bin or on PATH, "
            "and this is not a Debian-like system with apt-get. Install the PostgreSQL server, or set "
            "TEST_DATABASE_URL to an existing database."
        )
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise PostgresUnavailable(
            "No PostgreSQL server programs were found, and installing them needs root. Run "
            "`sudo apt-get install postgresql`, or set TEST_DATABASE_URL to an existing database."
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("Installing PostgreSQL with apt-get (once) ...", file=sys.stderr, flush=True)
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "postgresql"]):
        outcome = subprocess.run([*prefix, *command], env=environment, capture_output=True, text=True)
        if outcome.returncode != 0:
            raise PostgresUnavailable(
                f"`{' '.join(command)}` failed (exit status {outcome.returncode}):\n{outcome.stdout}{outcome.stderr}\n"
                "Install the PostgreSQL server yourself, or set TEST_DATABASE_URL to an existing database."
            )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server() -> tuple[str, Callable[[], None]]:
    """Start a throwaway server; return its URL (a password-protected role owning a database) and a stop function."""
    programs = find_server_programs()
    if programs is None:
        install_with_apt()
        programs = find_server_programs()
        if programs is None:
            raise PostgresUnavailable("apt-get installed postgresql, but initdb is not under /usr/lib/postgresql.")
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="pg-test-"))
    if as_root:
        _give_to_postgres(folder)
    data, log = folder / "data", folder / "server.log"
    superuser_password = secrets.token_urlsafe(16)
    password_file = folder / "superuser-password"
    password_file.write_text(superuser_password + "\n", encoding="utf-8")
    if as_root:
        shutil.chown(password_file, user=OS_USER)

    def run(*command: str | Path, environment: dict[str, str] | None = None) -> None:
        argv = [str(part) for part in command]
        if as_root:
            argv = ["runuser", "-u", OS_USER, "--", *argv]
        outcome = subprocess.run(argv, cwd=folder, capture_output=True, text=True, env=environment, timeout=120)
        if outcome.returncode != 0:
            server_log = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            raise PostgresUnavailable(
                f"`{' '.join(argv)}` failed (exit status {outcome.returncode}):\n"
                f"{outcome.stdout}{outcome.stderr}{server_log}"
            )

    def stop() -> None:
        if (data / "postmaster.pid").exists():
            try:
                run(programs / "pg_ctl", "--pgdata", data, "--mode", "immediate", "--wait", "stop")
            except PostgresUnavailable as error:
                print(f"Could not stop the test PostgreSQL server: {error}", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)

    try:
        run(
            programs / "initdb",
            "--pgdata",
            data,
            "--username",
            "postgres",
            "--pwfile",
            password_file,
            "--auth-local",
            "scram-sha-256",
            "--auth-host",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        password_file.unlink()
        port = _start(run, programs, data, log, folder)
        password = secrets.token_urlsafe(16)
        admin = {**os.environ, "PGPASSWORD": superuser_password, "PGCONNECT_TIMEOUT": "10"}
        run(
            programs / "psql",
            "--no-psqlrc",
            "--quiet",
            "--set",
            "ON_ERROR_STOP=1",
            f"postgresql://postgres@127.0.0.1:{port}/postgres",
            "--command",
            f"CREATE ROLE {ROLE} LOGIN PASSWORD '{password}'",
            "--command",
            f"CREATE DATABASE {DATABASE} OWNER {ROLE}",
            environment=admin,
        )
    except BaseException:
        stop()
        raise
    return f"postgresql://{ROLE}:{password}@127.0.0.1:{port}/{DATABASE}", stop


def _start(run: Callable[..., None], programs: Path, data: Path, log: Path, folder: Path) -> int:
    """Start the server on a free port, trying again if another process takes the port first."""
    settings = " ".join(f"-c {setting}" for setting in SERVER_SETTINGS)
    for attempt in range(3):
        port = free_port()
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} {settings}"
        try:
            run(
                programs / "pg_ctl",
                "--pgdata",
                data,
                "--log",
                log,
                "--options",
                options,
                "--wait",
                "--timeout",
                str(START_TIMEOUT),
                "start",
            )
        except PostgresUnavailable:
            if attempt == 2:
                raise
            continue
        return port
    raise AssertionError("unreachable")


def _give_to_postgres(folder: Path) -> None:
    """Let the postgres OS user own ``folder`` (created by root), failing with a clear message if it cannot."""
    try:
        shutil.chown(folder, user=OS_USER, group=OS_USER)
    except (LookupError, OSError) as error:
        raise PostgresUnavailable(
            f"Running as root, the cluster must belong to the {OS_USER!r} OS user, but {folder} could not be "
            f"given to it ({error}). Install Debian's postgresql package, which creates that user."
        ) from error


def main(command: list[str]) -> int:
    # On SIGTERM (from `timeout` or `kill`) stop the command and the server as Ctrl-C would, instead of leaving them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    url, stop = start_server()
    try:
        if command:
            environment = {**os.environ, "TEST_DATABASE_URL": url, "REQUIRE_POSTGRES": "1"}
            return subprocess.run(command, env=environment).returncode
        print(f"TEST_DATABASE_URL={url}", flush=True)
        print("The server runs until you press Ctrl-C.", file=sys.stderr, flush=True)
        signal.pause()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except PostgresUnavailable as error:
        print(error, file=sys.stderr)
        sys.exit(1)
