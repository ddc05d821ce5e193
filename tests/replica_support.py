"""A PostgreSQL primary and its streaming replica of the suite's own, for tests/operations/test_replica.py.

`initdb` a primary (as the `postgres` OS user when the suite runs as root:
PostgreSQL refuses to run as root), with data folders in a temporary folder it
owns and spare loopback ports found at run time; then `pg_basebackup -R` into
a second folder, started as a hot standby streaming from it. Nothing here
skips: a server that cannot start raises, and the test using it fails."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from glob import glob
from pathlib import Path

import psycopg

from tests.server_support import free_port

DATABASE = "tracker"
PRIMARY_SETTINGS = """
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
wal_keep_size = '128MB'
hot_standby = on
max_connections = 60
shared_buffers = '32MB'
fsync = off
"""
# Replication over trust from the loopback address only (initdb's defaults say so too; said here on purpose).
PRIMARY_HBA = "host replication postgres 127.0.0.1/32 trust\n"


def postgres_bindir() -> Path:
    """Where initdb, pg_ctl and pg_basebackup are: PG_BINDIR, else beside `initdb` on the PATH, else Debian's."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    on_path = shutil.which("initdb")
    candidates = [Path(os.path.realpath(on_path)).parent] if on_path else []
    candidates += [Path(p) for p in sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)]
    for folder in candidates:
        if (folder / "pg_basebackup").exists() and (folder / "pg_ctl").exists():
            return folder
    raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) were not found: "
                       "install postgresql (Debian: /usr/lib/postgresql/<version>/bin) or set PG_BINDIR")


class StreamingReplica:
    """A primary and a hot standby streaming from it, on spare loopback ports, in a folder of their own."""

    def __init__(self):
        self.bindir = postgres_bindir()
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="tracker-replica-"))
        os.chmod(self.root, 0o700)
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary_dir, self.replica_dir = self.root / "primary", self.root / "replica"
        self.primary_port = free_port()
        self.replica_port = free_port()
        while self.replica_port == self.primary_port:
            self.replica_port = free_port()
        self.primary_url = self._url(self.primary_port)
        self.replica_url = self._url(self.replica_port)

    @staticmethod
    def _url(port: int, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{port}/{DATABASE}"

    def _run(self, *command: str, timeout: float = 120) -> str:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, cwd=self.root, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "LC_ALL": "C.UTF-8", "PGCONNECT_TIMEOUT": "5"})
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:2])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _write(self, path: Path, text: str) -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text)

    # ---- the servers -------------------------------------------------------------------

    def start(self) -> "StreamingReplica":
        self._run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self._write(self.primary_dir / "postgresql.conf", PRIMARY_SETTINGS)
        self._write(self.primary_dir / "pg_hba.conf", PRIMARY_HBA)
        self._pg_ctl_start(self.primary_dir, self.primary_port, "primary")
        with self.connect_primary(database="postgres") as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                  "-D", str(self.replica_dir), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
        self.start_replica()
        return self

    def _pg_ctl_start(self, data_dir: Path, port: int, name: str) -> None:
        self._run("pg_ctl", "-D", str(data_dir), "-l", str(self.root / f"{name}.log"), "-w", "-t", "60",
                  "-o", f"-p {port} -k {self.root}", "start")

    def start_replica(self) -> None:
        self._pg_ctl_start(self.replica_dir, self.replica_port, "replica")
        deadline = time.monotonic() + 60
        while True:
            try:
                with self.connect_replica() as connection:
                    if connection.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                        return
                    raise RuntimeError("the replica is not in recovery: it is not a standby")
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop_replica(self) -> None:
        self._run("pg_ctl", "-D", str(self.replica_dir), "-m", "fast", "-w", "stop")

    def replica_running(self) -> bool:
        return (self.replica_dir / "postmaster.pid").exists()

    def stop(self) -> None:
        """Stop both servers (whatever state they are in) and remove their folders."""
        for data_dir in (self.replica_dir, self.primary_dir):
            if (data_dir / "postmaster.pid").exists():
                try:
                    self._run("pg_ctl", "-D", str(data_dir), "-m", "immediate", "-w", "stop")
                except RuntimeError:
                    pass
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # ---- talking to them directly -----------------------------------------------------

    def connect_primary(self, database: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.primary_port, user="postgres", dbname=database,
                               autocommit=True, connect_timeout=5)

    def connect_replica(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.replica_port, user="postgres", dbname=DATABASE,
                               autocommit=True, connect_timeout=5)

    def on_replica(self, sql: str, *params) -> list[tuple]:
        with self.connect_replica() as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def on_primary(self, sql: str, *params) -> list[tuple]:
        with self.connect_primary() as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = self.on_primary("SELECT pg_current_wal_lsn()::text")[0][0]
        deadline = time.monotonic() + timeout
        while not self.on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", target)[0][0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")
            time.sleep(0.05)

    def pause_replay(self) -> None:
        """The replica keeps receiving WAL but stops applying it: it shows the data as it was."""
        self.on_replica("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.on_replica("SELECT pg_wal_replay_resume()")
