"""Reading XML from a stranger safely: streamed, no external entities, no
network, no entity expansion, no DTD.

Real Blogger backups are not always well-formed: a namespace prefix used but
never declared, for one. Where the meaning is clear (namespace errors only),
the file is read again in lxml's recover mode and the repair is reported; any
other fault (a truncated file, a broken tag) refuses the whole file.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from gazette.importers.records import ImportFailed

_SAFE: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def iter_elements(
    path: Path, tag: str | tuple, *, recover: bool, depth: int = 1
) -> Iterator:
    """The elements named `tag`, one at a time. Those `depth` levels under the
    root (1: a feed's entries; 2: an RSS channel's items) are cleared once the
    caller moves on, with what came before them, so memory stays flat however
    long the file."""
    context = etree.iterparse(
        str(path), events=("end",), tag=tag, recover=recover, **_SAFE
    )
    for _, element in context:
        yield element
        parent = element.getparent()
        if parent is not None and _depth(parent) == depth - 1:
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]


def _depth(element) -> int:
    """How many levels under the root `element` is (the root: 0)."""
    levels = 0
    while (element := element.getparent()) is not None:
        levels += 1
    return levels


def read(path: Path, parse: Callable[[bool], Any]) -> tuple[Any, list[str]]:
    """`parse(recover)` over the file: strictly, or leniently when the only
    faults are namespace ones. Returns what it returned and the repairs made."""
    _reject_doctype(path)
    etree.clear_error_log()  # lxml keeps one log a thread: start it afresh
    try:
        return parse(False), []
    except etree.XMLSyntaxError as error:
        log = list(error.error_log)  # type: ignore[call-overload]
        faults = [e for e in log if e.level_name in ("ERROR", "FATAL")]
        fixable = faults and all(e.domain_name == "NAMESPACE" for e in faults)
        if not fixable:
            raise ImportFailed(
                f"not well-formed XML at line {error.lineno}: {error.msg}"
            ) from error
        repairs = sorted({f"line {e.line}: {e.message}" for e in faults})
    try:
        return parse(True), [f"XML repaired, {r}" for r in repairs]
    except etree.XMLSyntaxError as error:
        raise ImportFailed(f"not well-formed XML: {error.msg}") from error


def _reject_doctype(path: Path) -> None:
    """A DOCTYPE has no business in a backup; it is how entity bombs arrive."""
    with path.open("rb") as stream:
        head = stream.read(65536).lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise ImportFailed("the file declares a DOCTYPE or entities; refused")
