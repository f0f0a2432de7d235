"""Pictures for the demo blog, drawn with Pillow so that nothing is downloaded."""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter


def _sky(draw: ImageDraw.ImageDraw, width: int, height: int, top, bottom) -> None:
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)


def hills_at_dawn(width: int = 1800, height: int = 1100) -> bytes:
    """Layered hills under a dawn sky with a low sun."""
    rng = random.Random(7)
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    _sky(draw, width, height, (60, 88, 140), (246, 190, 140))
    sun_x, sun_y, r = int(width * 0.68), int(height * 0.52), int(height * 0.07)
    draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=(255, 226, 170))
    layers = [(92, 104, 120), (70, 86, 92), (48, 66, 66), (30, 46, 44)]
    for i, colour in enumerate(layers):
        base = height * (0.55 + i * 0.1)
        phase, amplitude = rng.uniform(0, 6), height * (0.05 + i * 0.015)
        points: list[tuple[float, float]] = [(0, height)]
        for x in range(0, width + 20, 20):
            y = base - amplitude * math.sin(x / width * (2.5 + i) + phase)
            points.append((x, y))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    return _jpeg(picture.filter(ImageFilter.SMOOTH))


def night_sky(width: int = 1600, height: int = 1000) -> bytes:
    """Stars over a dark ridge with a faint glow on the horizon."""
    rng = random.Random(11)
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    _sky(draw, width, height, (6, 10, 28), (38, 44, 84))
    for _ in range(900):
        x, y = rng.randrange(width), rng.randrange(int(height * 0.8))
        shade = rng.randint(150, 255)
        size = rng.choice((0, 0, 0, 1))
        draw.ellipse(
            [x, y, x + size, y + size], fill=(shade, shade, min(255, shade + 20))
        )
    points: list[tuple[float, float]] = [(0, height)]
    for x in range(0, width + 16, 16):
        points.append(
            (x, height * 0.82 - 40 * math.sin(x / 210) - 25 * math.sin(x / 77))
        )
    points.append((width, height))
    draw.polygon(points, fill=(8, 10, 14))
    return _jpeg(picture)


def loaf_on_board(width: int = 1400, height: int = 1000) -> bytes:
    """A round loaf on a wooden board, seen from above."""
    picture = Image.new("RGB", (width, height), (226, 218, 204))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle(
        [120, 140, width - 120, height - 140], 60, fill=(164, 112, 66)
    )
    for y in range(160, height - 160, 26):
        draw.line([(140, y), (width - 140, y + 6)], fill=(150, 100, 58), width=3)
    cx, cy, r = width // 2, height // 2, int(height * 0.3)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(186, 120, 52))
    draw.ellipse(
        [cx - r + 30, cy - r + 30, cx + r - 30, cy + r - 30], fill=(204, 140, 66)
    )
    for offset in (-90, 0, 90):
        draw.arc(
            [cx - r + 60, cy - r + 60 + offset, cx + r - 60, cy + r - 60 + offset],
            200,
            340,
            fill=(236, 206, 150),
            width=10,
        )
    return _jpeg(picture.filter(ImageFilter.GaussianBlur(1.2)))


def _jpeg(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
