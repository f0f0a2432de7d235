"""Which importer reads a file: told by its first few kilobytes."""

from pathlib import Path

from gazette.importers.records import Backup, ImportFailed


def detect(path: Path) -> str:
    """ "blogger" or "wordpress"; ImportFailed for anything else."""
    with path.open("rb") as stream:
        head = stream.read(16384)
    if b"wordpress.org/export/" in head:
        return "wordpress"
    if b"blogger.com" in head or b"schemas.google.com/blogger" in head:
        return "blogger"
    raise ImportFailed("neither a Blogger backup nor a WordPress export (WXR)")


def parse(path: Path, source: str | None = None) -> Backup:
    """The backup at `path`, read by the importer for `source` (detected when
    None)."""
    source = source or detect(path)
    if source == "wordpress":
        from gazette.importers.wordpress.parse import parse as parse_wordpress

        return parse_wordpress(path)
    from gazette.importers.blogger.parse import parse as parse_blogger

    return parse_blogger(path)
