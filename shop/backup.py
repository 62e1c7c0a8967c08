"""Backing up and restoring the shop: its database and its uploaded files, with a manifest.

A backup is one folder, ``chophien-<UTC time>/``, holding

- ``database.dump``: ``pg_dump --format=custom`` of PostgreSQL (``database.sqlite3``, a
  copy made with SQLite's online backup API, when the shop runs on SQLite);
- ``media.tar.gz``: MEDIA_ROOT as ``media/`` and PRIVATE_MEDIA_ROOT as ``private-media/``.
  When media live in an S3 bucket (``AWS_STORAGE_BUCKET_NAME``) nothing is copied: the
  bucket is backed up by the store itself (turn on versioning, and replication or a
  lifecycle rule that keeps old versions), which keeps every version of every file without
  downloading the bucket through one host each night. The manifest records that choice.
- ``manifest.json``: when, from which database, the latest migration of every app, how
  many orders, lines, fulfilments, products and users, and each file's SHA-256.

``backup_restore`` checks those checksums first, refuses a database that already has
tables (or media folders with files) unless forced, restores, then checks the migration
heads and counts against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_TAR = "media.tar.gz"
FORMAT_VERSION = 1

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _quiet(message: str) -> None:
    pass


# --- Backup --------------------------------------------------------------------------------


def backup_create(*, to: Path, say: Say = _quiet, using: str = "default") -> Path:
    """Write a new backup folder inside ``to`` and return its path."""
    started = timezone.now()
    folder = Path(to) / f"chophien-{started:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    connection = connections[using]

    say(f"1/4 Database ({connection.vendor}) → {folder}")
    if connection.vendor == "postgresql":
        _pg_dump(connection.settings_dict, folder / PG_DUMP)
    elif connection.vendor == "sqlite":
        _sqlite_copy(Path(connection.settings_dict["NAME"]), folder / SQLITE_COPY)
    else:
        raise BackupError(f"No backup for a {connection.vendor} database.")

    say("2/4 Media files")
    media = _media_backup(folder / MEDIA_TAR)

    say("3/4 Checksums and counts")
    manifest = {
        "format_version": FORMAT_VERSION,
        "created_at": started.isoformat(),
        "database": {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])},
        "migrations": migration_heads(using=using),
        "counts": record_counts(using=using),
        "media": media,
        "files": {
            path.name: {"sha256": _sha256(path), "bytes": path.stat().st_size}
            for path in sorted(folder.iterdir())
            if path.is_file()
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    say(f"4/4 Done: {folder} ({_size(folder)}), counts {manifest['counts']}")
    return folder


def migration_heads(*, using: str = "default") -> dict[str, str]:
    """The latest applied migration of each app, by name (migration names sort by number)."""
    heads: dict[str, str] = {}
    recorder = MigrationRecorder(connections[using])
    for app, name in recorder.migration_qs.values_list("app", "name"):
        heads[app] = max(heads.get(app, ""), name)
    return dict(sorted(heads.items()))


def record_counts(*, using: str = "default") -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from catalogue.models import Product
    from cooperatives.models import Fulfilment, FulfilmentEvent
    from order.models import Line, Order

    return {
        name: model._base_manager.using(using).count()
        for name, model in (
            ("orders", Order),
            ("order_lines", Line),
            ("fulfilments", Fulfilment),
            ("fulfilment_events", FulfilmentEvent),
            ("products", Product),
            ("users", get_user_model()),
        )
    }


def _pg_dump(database: dict, target: Path) -> None:
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            *_pg_connection_args(database),
        ],
        database,
    )


def _sqlite_copy(source: Path, target: Path) -> None:
    # The online backup API copies a consistent snapshot even while the shop writes.
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    live.close()
    copy.close()


def _media_backup(target: Path) -> dict:
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
        return {
            "storage": "s3",
            "bucket": settings.AWS_STORAGE_BUCKET_NAME,
            "copied": False,
            "why": "Kept by the bucket's own versioning and replication (see shop/backup.py).",
        }
    roots = {"media": Path(settings.MEDIA_ROOT), "private-media": Path(settings.PRIVATE_MEDIA_ROOT)}
    files = 0
    with tarfile.open(target, "w:gz") as tar:
        for arcname, root in roots.items():
            folder = tarfile.TarInfo(arcname)
            folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
            tar.addfile(folder)
            if not root.exists():
                continue
            for path in sorted(root.rglob("*")):
                tar.add(path, arcname=f"{arcname}/{path.relative_to(root)}", recursive=False)
                files += path.is_file()
    return {"storage": "local", "copied": True, "files": files}


# --- Restore -------------------------------------------------------------------------------


def backup_restore(
    *, source: Path, force: bool = False, say: Say = _quiet, using: str = "default"
) -> dict:
    """Restore the backup folder ``source`` into the configured database and media folders.

    Refuses a database with tables in it, or media folders with files, unless ``force``
    (then PostgreSQL's objects are dropped and recreated by ``pg_restore --clean``).
    Returns the manifest; raises ``BackupError`` when anything does not match it.
    """
    source = Path(source)
    manifest = backup_verify(source=source, say=say)
    connection = connections[using]
    if connection.vendor != manifest["database"]["vendor"]:
        raise BackupError(
            f"This backup is of a {manifest['database']['vendor']} database; "
            f"the shop is configured for {connection.vendor}."
        )
    tables = connection.introspection.table_names()
    if tables and not force:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} "
            "tables). Restore into an empty database, or pass --force to replace it."
        )
    media_roots = _media_roots()
    if manifest["media"]["copied"] and not force:
        full = [str(root) for root in media_roots.values() if root.exists() and any(root.iterdir())]
        if full:
            raise BackupError(f"Media folders are not empty: {', '.join(full)}. Pass --force.")

    say(f"2/4 Database → {connection.settings_dict['NAME']}")
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore needs no session of ours in its way
        _pg_restore(connection.settings_dict, source / PG_DUMP, clean=bool(tables))
    else:
        connection.close()
        _sqlite_restore(source / SQLITE_COPY, Path(connection.settings_dict["NAME"]))

    say("3/4 Media files")
    if manifest["media"]["copied"]:
        _media_restore(source / MEDIA_TAR, media_roots)
    else:
        say(f"    skipped: media are in the S3 bucket {manifest['media'].get('bucket')}")

    say("4/4 Checking migrations and counts against the manifest")
    heads, counts = migration_heads(using=using), record_counts(using=using)
    if heads != manifest["migrations"]:
        raise BackupError("The restored migration state differs from the manifest's.")
    if counts != manifest["counts"]:
        raise BackupError(
            f"Restored counts {counts} differ from the manifest's {manifest['counts']}."
        )
    say(f"    restored: {counts}")
    return manifest


def backup_verify(*, source: Path, say: Say = _quiet) -> dict:
    """The manifest of ``source``, once every file in it matches its checksum."""
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"No {MANIFEST} in {source}: not a Chợ Phiên backup.") from error
    say(f"1/4 Checking {len(manifest['files'])} files of the backup of {manifest['created_at']}")
    for name, expected in manifest["files"].items():
        path = Path(source) / name
        if not path.exists() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{path} is missing or damaged (checksum differs).")
    return manifest


def _pg_restore(database: dict, dump: Path, *, clean: bool) -> None:
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *(["--clean", "--if-exists"] if clean else []),
            *_pg_connection_args(database, flag="--dbname"),
            str(dump),
        ],
        database,
    )


def _sqlite_restore(copy: Path, target: Path) -> None:
    with sqlite3.connect(copy) as saved, sqlite3.connect(target) as live:
        saved.backup(live)
    saved.close()
    live.close()


def _media_roots() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "private-media": Path(settings.PRIVATE_MEDIA_ROOT)}


def _media_restore(tar_path: Path, roots: dict[str, Path]) -> None:
    with tarfile.open(tar_path, "r:gz") as tar:
        for member in tar.getmembers():
            top, _, rest = member.name.partition("/")
            if top not in roots or not rest:
                continue
            target = roots[top] / rest
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                # extractfile + copy, never extract(): a crafted name cannot escape the root.
                if not target.resolve().is_relative_to(roots[top].resolve()):
                    raise BackupError(f"Refusing {member.name}: it points outside {top}/.")
                with tar.extractfile(member) as data, open(target, "wb") as out:
                    shutil.copyfileobj(data, out)


# --- Helpers -------------------------------------------------------------------------------


def _pg_connection_args(database: dict, *, flag: str = "--dbname") -> list[str]:
    args = [f"{flag}={database['NAME']}"]
    if database.get("HOST"):
        args.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        args.append(f"--port={database['PORT']}")
    if database.get("USER"):
        args.append(f"--username={database['USER']}")
    return args


def _run(command: list[str], database: dict) -> None:
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]  # not on the command line, where ps shows it
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt install postgresql-client).")
    # A list of arguments, no shell: the database settings cannot inject a command.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _size(folder: Path) -> str:
    total = sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    return f"{total / 1024 / 1024:.1f} MB"
