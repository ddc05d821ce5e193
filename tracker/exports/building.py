"""Where a workbook is built, how a live build shows it is alive, and clearing what a dead one left.

- Each build works in a folder of its own, EXPORT_DIR/.building/<host>.<pid>.<random>:
  openpyxl's temporary sheet files and the half-written workbook (`.part`)
  go there, never into the system temp folder or beside the finished
  workbooks. Success renames the workbook into place; success or failure
  removes the folder.
- A process killed mid-build (kill -9, out of memory, power cut) leaves its
  folder behind. Every process clears, when it starts, the folders of dead
  processes of this host (and any folder a day old, whatever its host).
- A build holds its export run's claim (tracker/exports/runs.py). While it
  runs, `ClaimHeartbeat` renews the claim's heartbeat every
  EXPORT_HEARTBEAT_SECONDS on a connection of its own, so another process
  takes a claim over only when its heartbeat is older than
  EXPORT_STALE_MINUTES: the builder is gone."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import update

from tracker.models.exports import ExportRun
from tracker.shared.timeutil import utcnow
from tracker.shared.xlsx.files import sheet_files_in

log = logging.getLogger("tracker.exports")

BUILDING = ".building"
LEFT_FOR_ANY_HOST_SECONDS = 24 * 60 * 60


class ExportDirError(Exception):
    """EXPORT_DIR is missing or cannot be written: the message says which and what to do."""


def building_root(export_dir) -> Path:
    return Path(export_dir) / BUILDING


def ensure_export_dir(export_dir) -> Path:
    """EXPORT_DIR, made if only the folder itself is missing; ExportDirError when it cannot be used.

    Only the last level is made: a mistyped parent (/srv/trakcer/exports) is
    refused instead of quietly growing a new tree somewhere unexpected."""
    folder = Path(export_dir)
    try:
        folder.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise ExportDirError(
            f"EXPORT_DIR {folder} does not exist, nor does {folder.parent}: create it (owned by the user the "
            "tracker runs as) or set EXPORT_DIR to an existing folder."
        ) from None
    except OSError as error:
        raise ExportDirError(f"could not write to EXPORT_DIR {folder}: {error.strerror or error}.") from None
    if not folder.is_dir():
        raise ExportDirError(f"EXPORT_DIR {folder} is not a folder.")
    return folder


@contextmanager
def build_folder(export_dir):
    """A fresh folder for one build under EXPORT_DIR/.building; openpyxl's sheet files go there too."""
    ensure_export_dir(export_dir)
    root = building_root(export_dir)
    prefix = f"{socket.gethostname()}.{os.getpid()}."
    try:
        for attempt in (1, 2):  # another process may remove an empty root between mkdir and mkdtemp
            root.mkdir(exist_ok=True)
            try:
                folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
                break
            except FileNotFoundError:
                if attempt == 2:
                    raise
    except OSError as error:
        raise ExportDirError(f"could not write to EXPORT_DIR {export_dir}: {error.strerror or error}.") from None
    try:
        with sheet_files_in(folder):
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        try:
            root.rmdir()  # only when no other build is using it
        except OSError:
            pass


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def is_dead_build(folder: Path, now: float, host: str, own_pid: int) -> bool:
    """Left by a process that is gone: this host's and not running (or this very process, which has
    built nothing yet when it starts: a previous process had its pid), or a day old."""
    try:
        age = now - folder.stat().st_mtime
    except FileNotFoundError:
        return False
    parts = folder.name.rsplit(".", 2)
    if len(parts) == 3 and parts[0] == host and parts[1].isdigit():
        pid = int(parts[1])
        return pid == own_pid or not _process_alive(pid) or age > LEFT_FOR_ANY_HOST_SECONDS
    return age > LEFT_FOR_ANY_HOST_SECONDS


def clear_dead_builds(export_dir, logger=log) -> list[Path]:
    """Remove what killed builds left under EXPORT_DIR/.building. Never fails the caller: a missing
    or unreadable EXPORT_DIR is reported when something is exported, not at start."""
    root = building_root(export_dir)
    removed = []
    try:
        folders = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return removed
    now, host, pid = time.time(), socket.gethostname(), os.getpid()
    for folder in folders:
        if is_dead_build(folder, now, host, pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if removed:
        logger.info("cleared %d folder(s) left by builds that did not finish", len(removed))
    try:
        root.rmdir()
    except OSError:
        pass
    return removed


class ClaimHeartbeat:
    """While a build runs, renew its run's heartbeat every `every` seconds (its own connection)."""

    def __init__(self, engine, run_id: int, token: str, every: float):
        self.engine, self.run_id, self.token, self.every = engine, run_id, token, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"export-heartbeat-{run_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=max(self.every, 1) + 5)

    def beat(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ExportRun)
                .where(ExportRun.id == self.run_id, ExportRun.claimed_by == self.token)
                .values(heartbeat_at=utcnow())
            )

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.beat()
            except Exception as error:  # noqa: BLE001 - a missed beat is retried; the build goes on
                log.warning("could not renew the heartbeat of run %s: %s", self.run_id, error.__class__.__name__)
