"""Uploaded files waiting for the person to check the mapping and confirm: kept under the
instance folder, one folder per upload, readable only by the user who uploaded it."""
from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _root(instance_path: str, user_id: int) -> Path:
    return Path(instance_path) / "imports" / str(int(user_id))


def safe_name(name: str) -> str:
    name = Path(name or "upload").name
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" .") or "upload"
    return cleaned[-120:]


def save(instance_path: str, user_id: int, storage, name: str) -> str:
    """Store an upload (a werkzeug FileStorage); returns its token."""
    forget_old(instance_path, user_id)
    token = secrets.token_urlsafe(18)
    folder = _root(instance_path, user_id) / token
    folder.mkdir(parents=True)
    storage.save(folder / safe_name(name))
    return token


def find(instance_path: str, user_id: int, token: str) -> Path | None:
    """The uploaded file of this user with this token, or None."""
    if not _TOKEN.match(token or ""):
        return None
    folder = _root(instance_path, user_id) / token
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    return files[0] if files else None


def discard(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def forget_old(instance_path: str, user_id: int) -> None:
    root = _root(instance_path, user_id)
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass
