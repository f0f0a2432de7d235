"""Draw the blog's default pictures into gazette/static/gazette/.

The files are committed; run this again only to change the artwork:

    gazette draw_icons

- favicon.ico: the mark at 16, 32 and 48 pixels, served at /favicon.ico.
- icon.png: the mark at 512 pixels, the publisher's logo in structured data
  and the icon phones put on a home screen.
- preview.png: a 1200 x 630 card, the link-preview picture of a post that has
  none of its own (the size Open Graph and the big networks ask for).

The mark is drawn with shapes, not a font, so the result does not depend on
which fonts the machine has; it is drawn large and scaled down for smooth edges.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

STATIC_DIR = Path(__file__).resolve().parents[3] / "static" / "gazette"

# The reading theme's colours (gazette.css): accent, paper, rule and muted ink.
ACCENT = (29, 92, 143)
PAPER = (253, 252, 249)
RULE = (227, 223, 214)
MUTED = (91, 100, 112)
WHITE = (255, 255, 255)

PREVIEW_SIZE = (1200, 630)


def draw_mark(size: int) -> Image.Image:
    """A white "G" made of an open ring and a bar, on a rounded accent square."""
    big = size * 8 if size < 256 else size * 2
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=ACCENT)
    inset = big * 0.2
    box = (inset, inset, big - inset, big - inset)
    stroke = round(big * 0.12)
    # The ring is open on the right, above the bar, as a G is.
    draw.arc(box, start=0, end=320, fill=WHITE, width=stroke)
    middle = big / 2
    right = big - inset
    draw.rectangle(
        (middle, middle - stroke / 2, right, middle + stroke / 2), fill=WHITE
    )
    draw.rectangle((right - stroke, middle - stroke / 2, right, big * 0.66), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def draw_preview() -> Image.Image:
    """The mark on the theme's paper, over a few ruled lines that read as a page."""
    width, height = PREVIEW_SIZE
    card = Image.new("RGB", PREVIEW_SIZE, PAPER)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, width, 18), fill=ACCENT)
    mark = draw_mark(220)
    card.paste(mark, (140, (height - 220) // 2), mark)
    left, top = 440, 215
    draw.rounded_rectangle((left, top, left + 560, top + 34), radius=10, fill=MUTED)
    for row, length in enumerate((620, 580, 600, 420)):
        y = top + 90 + row * 42
        draw.rounded_rectangle((left, y, left + length, y + 16), radius=8, fill=RULE)
    return card


class Command(BaseCommand):
    help = "Draw favicon.ico, icon.png and preview.png into gazette/static/gazette/."

    def handle(self, *args, **options) -> None:
        # Each size drawn on its own: sharper than Pillow scaling one down.
        small = [draw_mark(16), draw_mark(32)]
        draw_mark(48).save(
            STATIC_DIR / "favicon.ico",
            sizes=[(16, 16), (32, 32), (48, 48)],
            append_images=small,
        )
        draw_mark(512).save(STATIC_DIR / "icon.png", optimize=True)
        preview = draw_preview().quantize(colors=64)
        preview.save(STATIC_DIR / "preview.png", optimize=True)
        for name in ("favicon.ico", "icon.png", "preview.png"):
            size = (STATIC_DIR / name).stat().st_size
            self.stdout.write(f"{name}: {size} bytes")
