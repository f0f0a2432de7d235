"""Backups: the whole site (database and uploaded files) in one archive, and back.

A backup is a gzipped tar file holding, in this order:

* `manifest.json`: what it is (format, Gazette's version, database engine, when,
  the latest migration applied per app, and counts as a sanity summary);
* the database: `database.sqlite3`, a copy made with SQLite's online backup API,
  or `database.pgdump`, PostgreSQL's `pg_dump --format=custom`;
* `media/`: the uploaded files under MEDIA_ROOT.

The database is copied first and the files after, so every file a row names was
there when the rows were read (a file uploaded meanwhile comes along unused).

Unlike `gazette export`, which moves a blog between installations and engines,
a backup is the database itself: exact, fast, and only for the same engine.
Restoring is all or nothing: the whole archive is read and checked (manifest,
member names, checksums, the database copy) before anything is written, and the
database is then replaced in one transaction.

The counts name feature apps' models by label (`apps.get_model`) instead of
importing them: the site layer imports no feature app.
"""

import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from gazette.lib import pagecache

KIND = "gazette-backup"
FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA = "media"
# What the summary counts, by model label; a model whose app is not installed
# is left out.
COUNTED = {
    "posts": "posts.Post",
    "pages": "posts.Page",
    "comments": "comments.Comment",
    "images": "images.Image",
}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024
_PRIVATE = 0o600
_MOVING_BETWEEN_ENGINES = (
    "To move a blog between SQLite and PostgreSQL, use `gazette export` on the old "
    "site and `gazette import_gazette` on the new one."
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do,
    for the person at the command line."""


@dataclass
class Manifest:
    engine: str
    gazette_version: str
    created_at: str
    migrations: dict[str, str]
    counts: dict[str, int]
    format: int = FORMAT

    def as_json(self) -> bytes:
        data = {"kind": KIND, **self.__dict__}
        return json.dumps(data, indent=2, sort_keys=True).encode() + b"\n"


@dataclass
class Backup:
    path: Path
    manifest: Manifest
    media_files: int
    size: int
    skipped: list[str] = field(default_factory=list)


@dataclass
class Restored:
    manifest: Manifest
    counts: dict[str, int]
    media_files: int
    needs_migrate: bool


def engine_of(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor in DATABASE_MEMBERS:
        return connection.vendor
    raise BackupError(
        f"Backups support SQLite and PostgreSQL, not {connection.vendor}."
    )


def default_archive_name() -> str:
    return timezone.now().strftime("gazette-backup-%Y%m%d-%H%M%S.tar.gz")


# Writing a backup.


def write_backup(output: Path, *, using: str = DEFAULT_DB_ALIAS) -> Backup:
    """Write the database and MEDIA_ROOT into a new archive at `output`.

    The archive is written under a temporary name beside `output` and renamed
    once complete, so a failed backup never leaves a file that looks whole; it is
    private (0600): it holds password hashes and commenters' addresses."""
    connection = connections[using]
    engine = engine_of(connection)
    if output.exists():
        raise BackupError(f"{output} already exists; give another --output.")
    if not output.parent.is_dir():
        raise BackupError(f"There is no folder {output.parent} to write into.")
    # The database copy is staged beside the archive, not in /tmp, which may be a
    # small in-memory file system.
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".gazette-backup-") as d:
        staged = Path(d) / DATABASE_MEMBERS[engine]
        if engine == "sqlite":
            manifest = _dump_sqlite(connection, staged)
        else:
            manifest = _dump_postgresql(connection, staged)
        fd, partial = tempfile.mkstemp(
            dir=output.parent, prefix=f".{output.name}.", suffix=".partial"
        )
        try:
            with os.fdopen(fd, "wb") as raw:
                media_files, skipped = _write_archive(raw, manifest, staged)
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(partial, _PRIVATE)
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return Backup(output, manifest, media_files, output.stat().st_size, skipped)


def _write_archive(
    raw: IO[bytes], manifest: Manifest, database: Path
) -> tuple[int, list[str]]:
    # Level 6: the SQLite file shrinks nearly as much as at 9, in half the time;
    # pictures and pg_dump's output are compressed already.
    with (
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as packed,
        tarfile.open(fileobj=packed, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        data = manifest.as_json()
        info = _member(MANIFEST, len(data), 0o600)
        tar.addfile(info, io.BytesIO(data))
        with database.open("rb") as f:
            tar.addfile(_member(database.name, database.stat().st_size, 0o600), f)
        return _add_media(tar)


def _member(name: str, size: int, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = mode
    info.mtime = int(timezone.now().timestamp())
    return info


def _add_media(tar: tarfile.TarFile) -> tuple[int, list[str]]:
    """Add MEDIA_ROOT's regular files under media/; symbolic links are left out
    (and reported): a restore refuses them, and following one could put files
    from elsewhere on the machine into the archive."""
    root = Path(settings.MEDIA_ROOT)
    # Collected static files (tests put them in MEDIA_ROOT) are rebuilt by
    # collectstatic, not restored.
    static_root = Path(settings.STATIC_ROOT) if settings.STATIC_ROOT else None
    count = 0
    skipped: list[str] = []
    if not root.is_dir():
        return count, skipped
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".gazette-restore-")
            and (here / d) != static_root
            and not (here / d).is_symlink()
        )
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(relative)
                continue
            info = tar.gettarinfo(str(path), arcname=f"{MEDIA}/{relative}")
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with path.open("rb") as f:
                tar.addfile(info, f)
            count += 1
    return count, skipped


def _dump_sqlite(connection: BaseDatabaseWrapper, staged: Path) -> Manifest:
    """Copy the database with SQLite's online backup API: one consistent snapshot
    while the site goes on serving (WAL lets its writers carry on)."""
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    if not Path(name).is_file():
        raise BackupError(f"There is no database at {name}; nothing to back up.")
    with (
        closing(sqlite3.connect(name, timeout=20)) as source,
        closing(sqlite3.connect(staged)) as copy,
    ):
        source.backup(copy)
        # One self-contained file in the archive, without a -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        # Read from the copy, so the summary describes exactly what is archived.
        manifest = _manifest("sqlite", copy.cursor())
    return manifest


def _dump_postgresql(connection: BaseDatabaseWrapper, staged: Path) -> Manifest:
    """pg_dump in custom format, reading the same snapshot as the manifest's
    counts (an exported snapshot held open by a read-only transaction)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        manifest = _manifest("postgresql", cursor)
        _run_pg_tool(
            connection,
            "pg_dump",
            [
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={staged}",
            ],
            failure="pg_dump failed",
        )
    return manifest


def _manifest(engine: str, cursor: Any) -> Manifest:
    """The manifest of the database `cursor` reads (a DB-API cursor, Django's or
    sqlite3's: only plain SQL both understand)."""
    cursor.execute('SELECT "app", "name" FROM "django_migrations"')
    migrations: dict[str, str] = {}
    for app, name in cursor.fetchall():
        # Migration names start with their number, so the greatest is the latest.
        migrations[app] = max(name, migrations.get(app, ""))
    return Manifest(
        engine=engine,
        gazette_version=metadata.version("gazette"),
        created_at=timezone.now().isoformat(timespec="seconds"),
        migrations=dict(sorted(migrations.items())),
        counts=_counts(cursor),
    )


def _counts(cursor: Any) -> dict[str, int]:
    """Rows per counted model, by plain SQL: it works on a database whose schema
    is behind the code's (restored from an older Gazette, not migrated yet)."""
    counts = {}
    for key, label in COUNTED.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')
        counts[key] = cursor.fetchone()[0]
    return counts


# PostgreSQL's tools.


def _run_pg_tool(
    connection: BaseDatabaseWrapper, tool: str, arguments: list[str], *, failure: str
) -> None:
    command = [_pg_binary(connection, tool), *arguments]
    try:
        done = subprocess.run(
            command, env=_pg_environment(connection), capture_output=True, text=True
        )
    except OSError as error:
        raise BackupError(f"{failure}: {error}") from error
    if done.returncode != 0:
        raise BackupError(f"{failure}:\n{done.stderr.strip()}")


def _pg_binary(connection: BaseDatabaseWrapper, tool: str) -> str:
    """The tool of the server's major version when several are installed (Debian
    keeps each in /usr/lib/postgresql/<major>/bin), else the one on PATH: an
    older pg_dump refuses a newer server."""
    connection.ensure_connection()
    major = connection.pg_version // 10000  # type: ignore[attr-defined]
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{tool}")
    if versioned.is_file():
        return str(versioned)
    if found := shutil.which(tool):
        return found
    raise BackupError(
        f"{tool} was not found: install PostgreSQL {major}'s client programs "
        "(on Debian, apt-get install postgresql-client)."
    )


# libpq's environment variables for the connection options dj-database-url may
# pass on from DATABASE_URL's query string.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The connection as libpq environment variables: the password never appears
    on a command line, where other local users could read it."""
    config = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        if (value := config.get("OPTIONS", {}).get(option)) is not None:
            env[variable] = str(value)
    return env


# Reading and restoring a backup.


def read_manifest(archive: Path) -> Manifest:
    """The manifest of `archive`, checked for being one this Gazette can read
    (the rest of the archive is not read)."""
    with _open_archive(archive) as (tar, _):
        return _manifest_from(tar)


def restore_backup(
    archive: Path, *, replace: bool = False, using: str = DEFAULT_DB_ALIAS
) -> Restored:
    """Restore `archive` into the configured database and MEDIA_ROOT.

    Only into an empty database (no tables) unless `replace`. Nothing is written
    until the whole archive has been read and checked; the database is then
    replaced in one transaction, the files moved into place, and the cache
    emptied so that no page of the old site survives."""
    connection = connections[using]
    engine = engine_of(connection)
    media_root = Path(settings.MEDIA_ROOT)
    if not media_root.is_dir():
        media_root.mkdir(parents=True)
        if (
            mode := getattr(default_storage, "directory_permissions_mode", None)
        ) is not None:
            media_root.chmod(mode)
    with _open_archive(archive) as (tar, packed):
        manifest = _manifest_from(tar)
        _check_restorable(manifest, engine)
        if not replace:
            _check_empty(connection)
        with (
            _staging_for_database(connection, engine) as staged_db,
            _staging_for_media(media_root) as staged_media,
        ):
            media_files = _extract(tar, packed, engine, staged_db, staged_media)
            if engine == "sqlite":
                _check_sqlite_copy(staged_db)
                _restore_sqlite(connection, staged_db)
            else:
                _restore_postgresql(connection, staged_db, replace=replace)
            _move_media(staged_media, media_root)
    connection.close()
    # The page cache's entries and every cached row belong to the old database;
    # bumping SITE as well reaches the pages each process keeps in memory.
    cache.clear()
    pagecache.bump(pagecache.SITE)
    with connection.cursor() as cursor:
        counts = _counts(cursor)
    return Restored(manifest, counts, media_files, _needs_migrate(connection))


@contextmanager
def _open_archive(archive: Path) -> Iterator[tuple[tarfile.TarFile, gzip.GzipFile]]:
    """The archive as a tar stream read once, front to back. Damage anywhere
    (a truncated file, a wrong checksum) becomes a BackupError."""
    try:
        raw = archive.open("rb")
    except OSError as error:
        raise BackupError(f"Cannot read {archive}: {error.strerror}.") from error
    with raw:
        if raw.read(2) != _GZIP_MAGIC:
            raise BackupError(f"{archive} is not a Gazette backup.")
        raw.seek(0)
        try:
            with (
                gzip.GzipFile(fileobj=raw, mode="rb") as packed,
                tarfile.open(fileobj=packed, mode="r|") as tar,
            ):
                yield tar, packed
        # Only what reading a damaged stream raises: a full disk while writing
        # the files out is not the archive's fault.
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise BackupError(
                f"{archive} is damaged ({error}); nothing was restored."
            ) from error


def _manifest_from(tar: tarfile.TarFile) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError("This is not a Gazette backup: it has no manifest.json.")
    reader = tar.extractfile(first)
    assert reader is not None  # a regular file
    try:
        data = json.loads(reader.read(1024 * 1024))
    except ValueError:
        raise BackupError(
            "This is not a Gazette backup: its manifest is not JSON."
        ) from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise BackupError("This is not a Gazette backup: its manifest says otherwise.")
    version = data.get("format")
    if not isinstance(version, int) or version < 1:
        raise BackupError("The backup's manifest is damaged (no format version).")
    if version > FORMAT:
        raise BackupError(
            f"This backup was made by a newer Gazette ({data.get('gazette_version')}, "
            f"backup format {version}; this one reads format {FORMAT}). "
            "Upgrade Gazette, then restore it."
        )
    try:
        return Manifest(
            engine=str(data["engine"]),
            gazette_version=str(data["gazette_version"]),
            created_at=str(data["created_at"]),
            migrations=dict(data["migrations"]),
            counts=dict(data["counts"]),
            format=version,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"The backup's manifest is damaged ({error!r}).") from error


_ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _check_restorable(manifest: Manifest, engine: str) -> None:
    if manifest.engine != engine:
        made = _ENGINE_NAMES.get(manifest.engine, manifest.engine)
        raise BackupError(
            f"This is a backup of a {made} database and this site uses "
            f"{_ENGINE_NAMES[engine]}: a backup restores only into the same engine. "
            + _MOVING_BETWEEN_ENGINES
        )
    # Migrations this code does not have: the backup comes from a newer Gazette,
    # whose tables this one would misread.
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    latest: dict[str, str] = {}
    for app, name in known:
        latest[app] = max(name, latest.get(app, ""))
    newer = sorted(
        f"{app}.{name}"
        for app, name in manifest.migrations.items()
        if app in latest and name > latest[app]
    )
    if newer:
        raise BackupError(
            f"This backup was made by a newer Gazette ({manifest.gazette_version}); "
            f"its database has migrations this one lacks ({', '.join(newer)}). "
            "Upgrade Gazette, then restore it."
        )


def _check_empty(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"The database is not empty (it has {len(tables)} tables); a restore "
            "writes only into an empty database. To overwrite this site's database "
            "with the backup, run the restore again with --replace."
        )


@contextmanager
def _staging_for_database(connection: BaseDatabaseWrapper, engine: str):
    """A private temporary file for the database copy: beside an SQLite database
    (the same file system, where there is room for it), else in the temp dir."""
    folder = None
    if engine == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name in ("", ":memory:") or "mode=memory" in name:
            raise BackupError("Cannot restore into an in-memory SQLite database.")
        folder = Path(name).resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
    fd, staged = tempfile.mkstemp(dir=folder, prefix=".gazette-restore-")
    os.close(fd)
    try:
        yield Path(staged)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(staged + suffix).unlink(missing_ok=True)


@contextmanager
def _staging_for_media(media_root: Path):
    """A private folder inside MEDIA_ROOT for the archive's files, so that moving
    them into place is a rename and nothing lands outside MEDIA_ROOT."""
    staged = Path(tempfile.mkdtemp(dir=media_root, prefix=".gazette-restore-"))
    try:
        yield staged
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _extract(
    tar: tarfile.TarFile,
    packed: gzip.GzipFile,
    engine: str,
    staged_db: Path,
    staged_media: Path,
) -> int:
    """Read the rest of the archive, the database into `staged_db` and media/
    into `staged_media`, refusing anything that could write elsewhere: absolute
    names, `..`, links, devices. Returns the number of media files."""
    database_member = DATABASE_MEMBERS[engine]
    has_database, media_files = False, 0
    for member in tar:
        if member.offset == 0:  # the manifest, read already: iteration repeats it
            continue
        name = _safe_name(member)
        if name.as_posix() == database_member and member.isfile() and not has_database:
            _copy_member(tar, member, staged_db)
            has_database = True
        elif name.parts[0] == MEDIA and len(name.parts) > 1:
            target = staged_media.joinpath(*name.parts[1:])
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy_member(tar, member, target)
                media_files += 1
            else:
                raise BackupError(f"The backup holds {member.name!r}, not a file.")
        elif name.as_posix() != MEDIA or not member.isdir():
            raise BackupError(
                f"The backup holds {member.name!r}, which no Gazette backup has."
            )
    if not has_database:
        raise BackupError(f"The backup is damaged: it has no {database_member}.")
    # The tar's end comes before gzip's: read on to its checksum and length.
    while packed.read(_CHUNK):
        pass
    return media_files


def _safe_name(member: tarfile.TarInfo) -> PurePosixPath:
    if member.issym() or member.islnk():
        raise BackupError(f"The backup holds a link, {member.name!r}; refused.")
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"The backup holds a device or pipe, {member.name!r}.")
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts or "\\" in member.name:
        raise BackupError(f"The backup holds an unsafe name, {member.name!r}; refused.")
    if not name.parts:
        raise BackupError("The backup holds a member without a name.")
    return name


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    assert source is not None  # a regular file
    with target.open("wb") as f:
        shutil.copyfileobj(source, f, _CHUNK)


def _check_sqlite_copy(staged: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{staged}?mode=ro", uri=True)) as copy:
            found = copy.execute("PRAGMA quick_check").fetchone()[0]
            copy.execute('SELECT COUNT(*) FROM "django_migrations"').fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"The backup's database is damaged ({error}).") from error
    if found != "ok":
        raise BackupError(f"The backup's database is damaged ({found}).")


def _restore_sqlite(connection: BaseDatabaseWrapper, staged: Path) -> None:
    """Copy the staged database into the configured one with the backup API.

    Not a rename over the file: a rename would pair the new file with the old
    one's -wal file (SQLite would replay the old site's last writes into it), and
    running processes would go on writing to the old file, now unnamed. The
    backup API replaces the pages in one transaction under SQLite's own locks,
    and other connections simply see the restored database next."""
    name = str(connection.settings_dict["NAME"])
    connection.close()
    try:
        with (
            closing(sqlite3.connect(f"file:{staged}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(name, timeout=20)) as target,
        ):
            source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"Restoring the database failed ({error}).") from error
    for suffix in ("", "-wal", "-shm"):
        path = Path(name + suffix)
        if path.exists():
            path.chmod(_PRIVATE)


def _restore_postgresql(
    connection: BaseDatabaseWrapper, staged: Path, *, replace: bool
) -> None:
    """pg_restore in one transaction, stopping at the first error: a failed
    restore leaves the database as it was. With `replace`, the backup's tables
    are dropped first, in the same transaction."""
    config = connection.settings_dict
    _run_pg_tool(
        connection,
        "pg_restore",
        ["--list", str(staged)],
        failure="The backup's database is damaged",
    )
    connection.close()
    database = str(config["NAME"]).replace("\\", "\\\\").replace("'", "\\'")
    arguments = [
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *(["--clean", "--if-exists"] if replace else []),
        f"--dbname=dbname='{database}'",
        str(staged),
    ]
    _run_pg_tool(connection, "pg_restore", arguments, failure="pg_restore failed")


def _move_media(staged: Path, media_root: Path) -> None:
    """Move the staged files into MEDIA_ROOT with the modes uploads get (a web
    server in front may serve them); files of the same name are replaced."""
    file_mode = getattr(default_storage, "file_permissions_mode", None)
    folder_mode = getattr(default_storage, "directory_permissions_mode", None)
    for folder, _, files in os.walk(staged):
        here = Path(folder)
        target_folder = media_root / here.relative_to(staged)
        target_folder.mkdir(parents=True, exist_ok=True)
        if folder_mode is not None and target_folder != media_root:
            target_folder.chmod(folder_mode)
        for name in files:
            if file_mode is not None:
                (here / name).chmod(file_mode)
            os.replace(here / name, target_folder / name)


def _needs_migrate(connection: BaseDatabaseWrapper) -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
