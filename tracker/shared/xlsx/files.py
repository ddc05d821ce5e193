"""Saving a workbook so the target path holds the complete new file or what was there before.

The file is written under a temporary name (in the build's own folder when it
is on the target's file system, else beside the target), fsynced and renamed
into place; a failed build removes openpyxl's temporary sheet files.

`sheet_files_in(folder)` sends openpyxl's temporary sheet files (one per
write-only sheet, as big as the sheet) to a folder of the caller's instead of
the system temp folder, so what a killed build leaves is in one known place
(tracker/exports/building.py clears it)."""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.worksheet import _writer as openpyxl_sheet_writer
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.writer.excel import ExcelWriter

_sheet_folder: ContextVar[str | None] = ContextVar("sheet_folder", default=None)


@contextmanager
def sheet_files_in(folder):
    """openpyxl's temporary sheet files made in this thread go to `folder` while inside
    (None: the system temp folder)."""
    token = _sheet_folder.set(None if folder is None else str(folder))
    try:
        yield
    finally:
        _sheet_folder.reset(token)


def _create_sheet_file(suffix=""):
    """openpyxl's own create_temporary_file (3.1.5), with the folder chosen by `sheet_files_in`."""
    handle = tempfile.NamedTemporaryFile(mode="w+", suffix=suffix, prefix="openpyxl.", delete=False, dir=_sheet_folder.get())
    handle.close()
    ALL_TEMP_FILES.append(handle.name)
    return handle.name


# WorksheetWriter looks the function up in its module each time it makes a sheet file.
openpyxl_sheet_writer.create_temporary_file = _create_sheet_file


def save_atomically(wb: Workbook, path: Path, work_dir: Path | None = None) -> tuple[int, str]:
    """Save under a temporary name, fsync, rename into place. Returns (size, SHA-256).

    The temporary file goes in `work_dir` when it is on the same file system as
    `path` (a rename cannot cross file systems), else beside `path`."""
    part_dir = work_dir if work_dir is not None and _same_file_system(work_dir, path.parent) else path.parent
    part = tempfile.NamedTemporaryFile(dir=part_dir, prefix=f".{path.name}.", suffix=".xlsx.part", delete=False)
    try:
        with part:
            _write_zip(wb, part)
            part.flush()
            os.fsync(part.fileno())
        size, digest = size_and_sha256(part.name)
        os.replace(part.name, path)
    except BaseException:
        try:
            os.unlink(part.name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(path.parent)
    return size, digest


def _same_file_system(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def _write_zip(wb: Workbook, target) -> None:
    """openpyxl's save, except that a failed write also closes the zip (left open,
    its finaliser would write into the removed file later)."""
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        ExcelWriter(wb, archive).save()  # closes the archive when done
    except BaseException:
        try:
            archive.close()
        except Exception:  # noqa: BLE001 - the disk that failed the write may fail this too
            pass
        raise


def size_and_sha256(filename) -> tuple[int, str]:
    """A file's size in bytes and its SHA-256 (hex), read a megabyte at a time."""
    digest = hashlib.sha256()
    size = 0
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (a crash right after must not lose the new name)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def discard_sheet_files(wb: Workbook) -> None:
    """openpyxl streams each write-only sheet to a temp file and removes it only on a
    successful save; after a failure remove them here so a long-running scheduler
    does not fill the temp folder."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        for close in (getattr(ws, "_rows", None), writer):  # rows stream first: it writes into the writer
            try:
                if close is not None:
                    close.close()
            except Exception:  # noqa: BLE001 - the original error is what matters
                pass
        ws._rows = None
        out = getattr(writer, "out", None)
        if isinstance(out, str):
            try:
                os.unlink(out)
            except FileNotFoundError:
                pass
            if out in ALL_TEMP_FILES:
                ALL_TEMP_FILES.remove(out)
