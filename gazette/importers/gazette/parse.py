"""Reading an export in Gazette's own format (docs/export-format.md).

The manifest is read first and the export refused, before anything is written,
unless it names this format at a version this Gazette knows and every file is
there. Each file is then read one line at a time, as the loader asks for it;
`Row` checks each value as it is taken and names the file and line when one is
wrong. A file holding fewer or more rows than the manifest counts is refused
too (an export cut short, or edited).
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from gazette.importers.gazette.format import (
    FILES,
    FORMAT,
    MANIFEST,
    MEDIA,
    VERSION,
    parse_iso,
)
from gazette.importers.records import ImportFailed

_MISSING = object()


@dataclass
class Row:
    """One line of a file, with its values checked as they are taken."""

    data: dict[str, Any]
    where: str  # "posts.jsonl line 3"

    def fail(self, reason: str) -> NoReturn:
        raise ImportFailed(reason, entry=self.where)

    def _get(self, key: str, default: Any) -> Any:
        value = self.data.get(key, default)
        if value is _MISSING:
            self.fail(f'"{key}" is missing')
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            self.fail(f'"{key}" must be a string')
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        return None if value is None else self.text(key)

    def integer(self, key: str, default: Any = _MISSING) -> int:
        value = self._get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(f'"{key}" must be a whole number')
        return value

    def optional_integer(self, key: str) -> int | None:
        value = self.data.get(key)
        return None if value is None else self.integer(key)

    def optional_number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.fail(f'"{key}" must be a number')
        return float(value)

    def flag(self, key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            self.fail(f'"{key}" must be true or false')
        return value

    def time(self, key: str) -> datetime:
        value = self.text(key)
        try:
            return parse_iso(value)
        except ValueError:
            self.fail(f'"{key}" must be an ISO 8601 time with an offset: {value!r}')

    def optional_time(self, key: str) -> datetime | None:
        return None if self.data.get(key) is None else self.time(key)

    def choice(self, key: str, choices: Iterable[str], default: Any = _MISSING) -> str:
        value = self.text(key, default)
        allowed = list(choices)
        if value not in allowed:
            self.fail(f'"{key}" is {value!r}; expected one of {", ".join(allowed)}')
        return value

    def texts(self, key: str) -> list[str]:
        value = self._get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f'"{key}" must be a list of strings')
        return value


@dataclass
class Export:
    """An export folder whose manifest was read and accepted."""

    root: Path
    counts: dict[str, int]
    exported_at: datetime | None = None
    # Files the manifest lists that this Gazette does not know (a newer one wrote
    # them): left out, and said so in the report.
    unknown: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.get(kind, 0) for kind in FILES)

    def rows(self, kind: str) -> Iterator[Row]:
        """The rows of one file, in order."""
        name = FILES[kind]
        count = 0
        try:
            with (self.root / name).open(encoding="utf-8") as stream:
                for number, line in enumerate(stream, 1):
                    if not line.strip():
                        continue
                    where = f"{name} line {number}"
                    try:
                        data = json.loads(line)
                    except ValueError as error:
                        raise ImportFailed(f"not JSON ({error})", entry=where) from None
                    if not isinstance(data, dict):
                        raise ImportFailed("not a JSON object", entry=where)
                    count += 1
                    yield Row(data, where)
        except UnicodeDecodeError as error:
            raise ImportFailed(f"not UTF-8 text ({error.reason})", entry=name) from None
        except OSError as error:
            raise ImportFailed(f"cannot be read ({error})", entry=name) from None
        expected = self.counts.get(kind)
        if expected is not None and count != expected:
            raise ImportFailed(
                f"holds {count} rows where the manifest counts {expected}: the "
                "export was cut short or changed",
                entry=name,
            )

    def media_file(self, row: Row, key: str = "path") -> Path:
        """The file a row names under media/, refused if it would lead outside."""
        relative = row.text(key)
        parts = PurePosixPath(relative).parts
        if (
            PurePosixPath(relative).is_absolute()
            or len(parts) < 2
            or parts[0] != MEDIA
            or any(part in ("..", ".") or "\\" in part for part in parts)
        ):
            row.fail(f'"{key}" must be a path under {MEDIA}/: {relative!r}')
        path = self.root.joinpath(*parts)
        if not path.is_file():
            row.fail(f"{relative} is not in the export")
        return path


def read_export(root: Path) -> Export:
    """The export at `root`, once its manifest says it is one this Gazette reads;
    ImportFailed otherwise, before anything is written."""
    if not root.is_dir():
        raise ImportFailed(f"No such folder: {root}")
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise ImportFailed(
            f"{root} has no {MANIFEST}: it is not a Gazette export, or its export "
            "did not finish"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportFailed(f"{MANIFEST} is not JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ImportFailed(
            f"{MANIFEST} names the format {found!r}, not {FORMAT!r}: this is not "
            "a Gazette export"
        )
    version = manifest.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ImportFailed(
            f"This export is version {version!r} of the Gazette export format, and "
            f"this Gazette reads version {VERSION} only. Import it with a Gazette "
            "that knows that version."
        )
    counts = manifest.get("counts", {})
    if not isinstance(counts, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in counts.values()
    ):
        raise ImportFailed(f'{MANIFEST}: "counts" must map files to numbers of rows')
    missing = [name for name in FILES.values() if not (root / name).is_file()]
    if missing:
        raise ImportFailed(f"the export has no {', '.join(missing)}")
    exported_at = None
    if isinstance(manifest.get("exported_at"), str):
        try:
            exported_at = parse_iso(manifest["exported_at"])
        except ValueError:
            pass
    return Export(
        root=root,
        counts=counts,
        exported_at=exported_at,
        unknown=sorted(kind for kind in counts if kind not in FILES),
    )
