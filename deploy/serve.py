"""Replicas behind nginx (``make serve REPLICAS=N``): N app processes, one port, sticky sessions.

Starts N ``streamlit run dashboard.py`` processes on free loopback ports, all over the same
extract (``NATALITY_DATA``) and with one shared cookie secret (so a login cookie or an upload's
XSRF token signed by one replica is good on every one), then Debian's nginx in the foreground
with a generated ``nginx.conf`` in a run directory (no system service, no root-owned paths).

A tab stays on one replica: nginx gives a first request without the ``natality_route`` cookie a
random key and sets the cookie to it, and chooses the replica by a consistent hash of the key, so
the websocket ``/_stcore/stream`` (upgraded), uploads ``/_stcore/upload_file`` and ``/media`` of
that tab reach the process that holds its session (an address hash would send every leader
behind one office proxy to one replica). Every replica reads the extract's ``live`` link on each
page run, so an import's atomic switch reaches them all at once; leaders' notes are one SQLite
file in WAL mode beside the extract, shared by all.

``python deploy/serve.py --replicas 2 --port 8501 --data data/demo``; Ctrl-C (or SIGTERM) stops
nginx and every replica.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
COOKIE = "natality_route"
# glibc malloc arenas per app process (the environment's MALLOC_ARENA_MAX wins): with one arena per
# script thread, memory that sessions freed stayed in the process (bench/README, issue 19's memory).
MALLOC_ARENAS = 2

CONF = """\
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    client_max_body_size 200m;  # Streamlit's server.maxUploadSize
    # The tab's key: its cookie, or for a first request a new one (set below).
    map $cookie_{cookie} $route_key {{ "" $request_id; default $cookie_{cookie}; }}
    map $cookie_{cookie} $route_cookie {{ "" "{cookie}=$request_id; Path=/; HttpOnly; SameSite=Lax"; default ""; }}
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    upstream natality {{
        hash $route_key consistent;
{servers}
    }}
    server {{
        listen {address}:{port};
        location / {{
            proxy_pass http://natality;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
            add_header Set-Cookie $route_cookie;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


@dataclass
class Cluster:
    """The running replicas and nginx; ``url`` is the one address leaders open."""

    url: str
    run_dir: Path
    replicas: list[subprocess.Popen] = field(default_factory=list)
    replica_urls: list[str] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.replicas] + ([self.nginx.pid] if self.nginx else [])

    def stop(self) -> None:
        for proc in [self.nginx, *self.replicas]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [self.nginx, *self.replicas]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def start_app(
    data: Path,
    port: int,
    log: Path | None,
    *,
    root: Path = ROOT,
    starter: list[str] | None = None,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    address: str = "127.0.0.1",
) -> subprocess.Popen:
    """One app server on ``port`` over ``data``: the tree at ``root`` started as ``make run`` starts
    it (natality.ui.serve, warm first views, where the tree has it) unless ``starter`` says
    otherwise; its output to ``log`` (None: dropped)."""
    if starter is None:
        starter = ["-m", "streamlit", "run", "dashboard.py"]
        if (root / "natality" / "ui" / "serve.py").exists():
            starter = ["-m", "natality.ui.serve"]
    full_env = {
        "MALLOC_ARENA_MAX": str(MALLOC_ARENAS),  # before any thread: memory freed by sessions goes back
        **os.environ,
        "NATALITY_DATA": str(Path(data).absolute()),
        "PYTHONPATH": str(root),
        **(env or {}),
    }
    out = log.open("w") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable,
            *starter,
            "--server.port",
            str(port),
            "--server.address",
            address,
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ],
        cwd=root,
        env=full_env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    if log is not None:
        out.close()  # the child holds its own copy
    return proc


def stop_app(proc: subprocess.Popen, seconds: float = 10) -> None:
    """Stop a server of start_app: SIGTERM, and SIGKILL after ``seconds``."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()


def start_replica(data: Path, port: int, cookie_secret: str, log: Path, address: str = "127.0.0.1") -> subprocess.Popen:
    return start_app(data, port, log, env={"STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret}, address=address)


def nginx_conf(run_dir: Path, ports: list[int], port: int, address: str = "127.0.0.1") -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in ports)
    return CONF.format(run=run_dir, cookie=COOKIE, servers=servers, port=port, address=address)


def start(
    data: Path, replicas: int, port: int | None = None, run_dir: Path | None = None, address: str = "127.0.0.1"
) -> Cluster:
    """Start ``replicas`` app processes and nginx in front on ``port`` (a free one if None)."""
    if not Path(NGINX).exists():
        raise RuntimeError(f"{NGINX} is missing: apt-get install nginx (make system-deps does)")
    run_dir = Path(run_dir or tempfile.mkdtemp(prefix="natality-serve-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    cluster = Cluster(url=f"http://{address}:{port}", run_dir=run_dir)
    secret = secrets.token_hex(32)
    try:
        ports = [free_port() for _ in range(replicas)]
        for k, p in enumerate(ports):
            cluster.replicas.append(start_replica(data, p, secret, run_dir / f"replica-{k + 1}.log"))
            cluster.replica_urls.append(f"http://127.0.0.1:{p}")
        for url, proc in zip(cluster.replica_urls, cluster.replicas, strict=True):
            if not wait_healthy(url) or proc.poll() is not None:
                raise RuntimeError(f"replica {url} did not start; see {run_dir}")
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_conf(run_dir, ports, port, address))
        out = (run_dir / "nginx.out").open("w")
        cluster.nginx = subprocess.Popen(
            [NGINX, "-p", str(run_dir), "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT
        )
        if not wait_healthy(cluster.url, 20) or cluster.nginx.poll() is not None:
            raise RuntimeError(f"nginx did not start; see {run_dir}/error.log and nginx.out")
    except BaseException:
        cluster.stop()
        raise
    return cluster


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--address", default="0.0.0.0", help="where nginx listens (the replicas: 127.0.0.1 only)")
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("NATALITY_DATA", "data/demo")))
    ap.add_argument("--run-dir", type=Path, default=None, help="nginx.conf, logs and pid (default: a temp dir)")
    args = ap.parse_args()
    cluster = start(args.data, args.replicas, args.port, args.run_dir, args.address)
    print(f"{args.replicas} replicas behind nginx: {cluster.url} (config and logs in {cluster.run_dir})", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        while not stopping and all(p.poll() is None for p in [cluster.nginx, *cluster.replicas]):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        if args.run_dir is None:
            shutil.rmtree(cluster.run_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
