"""Backup and restore of the database and uploaded media (docs/operations.md).

PostgreSQL goes through pg_dump/pg_restore (custom format); SQLite through its online backup
API, safe while the site runs. Media files are archived as a tarball next to the dump.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

DUMP_POSTGRES = "database.pgdump"
DUMP_SQLITE = "database.sqlite3"
MEDIA_ARCHIVE = "media.tar.gz"
MANIFEST = "manifest.json"


def _database() -> dict:
    return connections["default"].settings_dict


def _is_sqlite(database: dict) -> bool:
    return database["ENGINE"].endswith("sqlite3")


def _pg_args(database: dict) -> list[str]:
    args = [
        "--host",
        database.get("HOST") or "127.0.0.1",
        "--port",
        str(database.get("PORT") or 5432),
    ]
    if database.get("USER"):
        args += ["--username", database["USER"]]
    return args


def _pg_env(database: dict) -> dict:
    import os

    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


def backup(destination: Path) -> Path:
    """Write a dated folder with the database dump, the media archive and a manifest."""
    folder = destination / timezone.now().strftime("passerelle-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    database = _database()
    if _is_sqlite(database):
        source = sqlite3.connect(database["NAME"])
        target = sqlite3.connect(folder / DUMP_SQLITE)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / DUMP_POSTGRES),
             *_pg_args(database), database["NAME"]],
            check=True,
            env=_pg_env(database),
        )  # fmt: skip
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA_ARCHIVE, "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    (folder / MANIFEST).write_text(
        json.dumps(
            {"created_at": timezone.now().isoformat(), "engine": database["ENGINE"]}, indent=2
        )
    )
    return folder


def restore(folder: Path) -> None:
    """Replace the current database and media with those of a backup folder."""
    database = _database()
    connections.close_all()
    if _is_sqlite(database):
        dump = folder / DUMP_SQLITE
        if not dump.exists():
            raise FileNotFoundError(dump)
        for suffix in ("-wal", "-shm"):
            Path(f"{database['NAME']}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(dump, database["NAME"])
    else:
        dump = folder / DUMP_POSTGRES
        if not dump.exists():
            raise FileNotFoundError(dump)
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             *_pg_args(database), "--dbname", database["NAME"], str(dump)],
            check=True,
            env=_pg_env(database),
        )  # fmt: skip
    archive_path = folder / MEDIA_ARCHIVE
    if archive_path.exists():
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(archive_path, "r:gz") as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("media")]
            archive.extractall(media.parent, members=members, filter="data")
