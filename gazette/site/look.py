"""The blog's own look on top of its theme: accent colour, fonts and the
author's CSS, written out as the small stylesheet served at /theme.css."""

import functools
import hashlib
from typing import NamedTuple

from gazette.site.colours import accent_for_dark
from gazette.site.models import Font, SiteSettings

# Fonts every reader already has, best first: each stack names the usual
# system's face (macOS, iOS, Windows, Android, Linux) and ends in a generic
# family. Nothing is downloaded, so there is no flash of other text and no
# request to a font service.
FONT_STACKS: dict[str, str] = {
    Font.BOOK_SERIF: 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif',
    Font.OLD_STYLE: (
        '"Iowan Old Style", "Palatino Linotype", Palatino, "URW Palladio L", '
        "P052, Georgia, serif"
    ),
    Font.SYSTEM_SANS: (
        'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif'
    ),
    Font.HUMANIST: (
        'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", sans-serif'
    ),
    Font.GEOMETRIC: (
        'Avenir, "Avenir Next LT Pro", Montserrat, Corbel, "URW Gothic", '
        '"Century Gothic", sans-serif'
    ),
    Font.MONOSPACE: (
        'ui-monospace, "Cascadia Code", Menlo, Consolas, "DejaVu Sans Mono", monospace'
    ),
}


class Look(NamedTuple):
    """The settings /theme.css is made from, and nothing else: the sheet is
    written from these alone, so they are all its version depends on."""

    accent_color: str
    body_font: str
    heading_font: str
    custom_css: str

    @classmethod
    def of(cls, site: SiteSettings) -> "Look":
        return cls(*(getattr(site, name) for name in cls._fields))


def stylesheet(site: SiteSettings) -> str:
    """/theme.css for these settings. It loads after the theme's stylesheet."""
    return _stylesheet(Look.of(site))


def _stylesheet(look: Look) -> str:
    accent = look.accent_color.lower()
    # Both schemes' accents, as gazette.css's palette holds every colour.
    lines = [f":root {{ --accent: light-dark({accent}, {accent_for_dark(accent)}); }}"]
    fonts = []
    if stack := FONT_STACKS.get(look.body_font):
        fonts.append(f"--font-body: {stack};")
    if stack := FONT_STACKS.get(look.heading_font):
        fonts.append(f"--font-heading: {stack};")
    if fonts:
        # On body, as the themes set theirs: the same weight, and this sheet
        # comes later, so the author's choice wins. The desk keeps its own.
        lines.append(f"body:not(.desk) {{ {' '.join(fonts)} }}")
    if css := look.custom_css.strip():
        # As written: a stylesheet of its own cannot run script, and the
        # content security policy keeps it from loading anything off-site.
        lines += ["", "/* The blog's own CSS, from Settings. */", css]
    return "\n".join(lines) + "\n"


def stylesheet_version(site: SiteSettings) -> str:
    """A short fingerprint of /theme.css, for its address in base.html: the
    sheet is cached for a day, and a changed look must be a new address."""
    return _version(Look.of(site))


# Every page render that misses the page cache asks for the version; making the
# sheet (the accent's dark shade is a search) and hashing it each time would be
# wasted, as the look rarely changes. Keyed by the look's values, so a changed
# look is a new key, and every process answers the same: this is a memo of a
# pure function, not state to keep in step.
@functools.lru_cache(maxsize=32)
def _version(look: Look) -> str:
    return hashlib.sha256(_stylesheet(look).encode()).hexdigest()[:12]
