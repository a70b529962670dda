"""The app as the deployment recipe runs it at scale: PostgreSQL, three app processes and nginx in front.

A baked project's ``compose.yaml`` runs PostgreSQL, the app as 3 replicas and
nginx (``deploy/nginx.conf``) spreading requests over them. The benchmark
runs the same shape on one machine without Docker:

- a throwaway PostgreSQL server started by scripts/postgres.py (Debian's
  server programs, installed with apt-get if missing), on 127.0.0.1;
- three ``python -m <package> serve`` processes on three ports, each with
  ``DATABASE_URL`` pointing at that server, as the recipe's replicas run;
- nginx (Debian's, installed with apt-get) with the recipe's own site file,
  changed only where Docker is assumed: its ``resolver`` line goes, the
  ``server app:8000 resolve`` line becomes one line per process, and it
  listens on a free port of 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ingest
import peer_setup
import serve

BENCH, PACKAGE = ingest.BENCH, ingest.PACKAGE
PROCESSES = 3  # the recipe's replicas (compose.yaml, deploy.replicas)
RECIPE = Path("deploy") / "nginx.conf"  # in a baked project
NGINX_PROGRAMS = ("/usr/sbin/nginx",)
POSTGRES_CHOICES = ("auto", "yes", "no")
NAME = f"app on PostgreSQL, {PROCESSES} processes behind nginx"

# The recipe's lines that only make sense inside Docker Compose, and what replaces them here.
RESOLVER = re.compile(r"^[ \t]*resolver[ \t][^;]*;[ \t]*\n", re.MULTILINE)
UPSTREAM_SERVER = re.compile(r"^([ \t]*)server[ \t]+app:8000([^;]*);", re.MULTILINE)
LISTEN = re.compile(r"^([ \t]*)listen[ \t]+8080;", re.MULTILINE)


def start_postgres(choice: str) -> tuple[str | None, Callable[[], None], list[str]]:
    """A throwaway PostgreSQL server for ``--postgres auto|yes|no``: its URL (None if none), a stop function, notes.

    With ``auto`` a machine that cannot run one (no apt-get, not root) runs
    the rest of the benchmark and says why PostgreSQL was left out; with
    ``yes`` that is an error.
    """
    if choice == "no":
        return None, lambda: None, ["PostgreSQL left out (--postgres no)"]
    from postgres import PostgresUnavailable, start_server  # scripts/postgres.py, on sys.path through ingest

    print("Starting a throwaway PostgreSQL server (scripts/postgres.py) ...", flush=True)
    try:
        url, stop = start_server()
    except PostgresUnavailable as error:
        if choice == "yes":
            raise SystemExit(f"--postgres yes, but no PostgreSQL server could be started: {error}") from error
        return None, lambda: None, [f"PostgreSQL left out: no server could be started ({error})".replace("\n", " ")]
    return url, stop, []


def installed_nginx() -> str | None:
    """nginx on PATH, or where Debian puts it (/usr/sbin is not on every PATH)."""
    return shutil.which("nginx") or next((p for p in NGINX_PROGRAMS if Path(p).is_file()), None)


def nginx_program() -> str | None:
    """nginx, installed from Debian's archive with apt-get if it is missing and this runs as root."""
    if found := installed_nginx():
        return found
    return installed_nginx() if peer_setup.apt_install("nginx") else None


def site_config(recipe: str, ports: list[int], listen: int) -> str:
    """The recipe's nginx site with its upstream on ``ports`` and listening on ``listen``, on 127.0.0.1."""
    found = UPSTREAM_SERVER.search(recipe)
    if found is None or not LISTEN.search(recipe):
        raise SystemExit(
            f"The recipe's {RECIPE} no longer has the lines `server app:8000 ...;` and `listen 8080;` that the "
            "benchmark rewrites for processes on this machine: update bench/deployment.py to match it"
        )
    indent, options = found.group(1), found.group(2).replace(" resolve", "")
    servers = "\n".join(f"{indent}server {serve.HOST}:{port}{options};" for port in ports)
    site = RESOLVER.sub("", recipe)
    site = UPSTREAM_SERVER.sub(lambda _: servers, site, count=1)
    return LISTEN.sub(lambda m: f"{m.group(1)}listen {serve.HOST}:{listen};", site, count=1)


def main_config(folder: Path, site: Path) -> str:
    """nginx's own settings as the recipe's image (nginx-unprivileged) has them, with every file under ``folder``."""
    temp = folder / "temp"
    return "\n".join(
        [
            "daemon off;",
            "worker_processes auto;",
            f"pid {folder / 'nginx.pid'};",
            f"error_log {folder / 'error.log'} notice;",
            "events { worker_connections 1024; }",
            "http {",
            "    default_type application/octet-stream;",
            "    sendfile on;",
            "    keepalive_timeout 65;",
            f"    access_log {folder / 'access.log'};",
            *(f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
            f"    include {site};",
            "}",
            "",
        ]
    )


@dataclass
class Deployment(serve.Server):
    """nginx (the process this server's address reaches) and the app processes behind it."""

    members: list[serve.Server] = field(default_factory=list)

    def pids(self) -> list[int]:
        return [member.process.pid for member in self.members]

    def peak_rss_mib(self) -> float:
        """The largest peak resident memory of one app process (nginx's is a few MiB)."""
        return max((member.peak_rss_mib() for member in self.members), default=0.0)

    def stop(self) -> None:
        super().stop()
        for member in self.members:
            member.stop()


def start(project: Path, database_url: str, nginx: str) -> Deployment:
    """Three app processes on ``database_url`` and nginx in front of them; returned once nginx answers /healthz."""
    started = time.perf_counter()
    work = BENCH / "nginx"
    shutil.rmtree(work, ignore_errors=True)
    (work / "temp").mkdir(parents=True)
    python = str(project / ".venv" / "bin" / "python")
    members: list[serve.Server] = []
    try:
        for number in range(1, PROCESSES + 1):
            port = serve.free_port()
            command = [python, "-m", PACKAGE, "serve", "--host", serve.HOST, "--port", str(port)]
            members.append(
                serve.launch(
                    f"App process {number} on PostgreSQL",
                    command,
                    cwd=project,
                    env=ingest.clean_env(DATABASE_URL=database_url),
                    port=port,
                    log=BENCH / "logs" / f"postgres-app-{number}.log",
                    ready="/healthz",
                )
            )
        listen = serve.free_port()
        site = work / "site.conf"
        recipe = (project / RECIPE).read_text(encoding="utf-8")
        site.write_text(site_config(recipe, [m.port for m in members], listen), encoding="utf-8")
        config = work / "nginx.conf"
        config.write_text(main_config(work, site), encoding="utf-8")
        command = [nginx, "-p", str(work), "-e", str(work / "error.log"), "-c", str(config)]
        front = serve.launch(
            "nginx", command, cwd=work, env=ingest.clean_env(), port=listen, log=work / "nginx.log", ready="/healthz"
        )
    except BaseException:
        for member in members:
            member.stop()
        raise
    return Deployment(front.process, listen, front.log, startup_seconds=time.perf_counter() - started, members=members)


def nginx_version(nginx: str | None) -> dict[str, str]:
    """nginx's version as ``nginx -v`` prints it (on standard error)."""
    if nginx is None:
        return {}
    run = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    text = (run.stderr or run.stdout).strip()
    return {"nginx": text.split("/", 1)[-1]} if text else {}
