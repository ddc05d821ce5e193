"""Saving a workbook so the target path holds the complete new file or what was there before.

The file is written under a temporary name in the target folder, fsynced and
renamed into place; a failed build removes openpyxl's temporary sheet files."""
from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.writer.excel import ExcelWriter


def save_atomically(wb: Workbook, path: Path) -> tuple[int, str]:
    """Save under a temporary name beside `path`, fsync, rename into place. Returns (size, SHA-256)."""
    part = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx.part", delete=False)
    try:
        with part:
            _write_zip(wb, part)
            part.flush()
            os.fsync(part.fileno())
        size, digest = _size_and_digest(part.name)
        os.replace(part.name, path)
    except BaseException:
        try:
            os.unlink(part.name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(path.parent)
    return size, digest


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


def _size_and_digest(filename: str) -> tuple[int, str]:
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
