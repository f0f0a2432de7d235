"""Hostile uploads: files an attacker would send as a "picture". Each one is
refused with a reason a person can act on, or stored harmless (re-encoded, so no
byte of it reaches a reader unchanged), and in bounded work: Pillow must not open
what its structure already gives away, nor decode what its header says is too
much. Work is counted (files opened, frames decoded), not timed; before the work
budget, the frame bomb alone kept a worker busy for 30 s.
"""

import io
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageFile

from gazette.images.storing import add_image
from gazette.images.uploads import clean_upload

SCRIPT = b"<script>alert(document.cookie)</script>"
TWENTY_MB = 19 * 1024 * 1024  # just under the upload limit


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + data))
    return struct.pack(">I", len(data)) + kind + data + crc


def png_header(width: int, height: int, *chunks: bytes) -> bytes:
    """A PNG declaring `width` × `height` with a token of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + b"".join(chunks)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def gif(width: int, height: int, frames: int, *, at=(0, 0), extra=b"") -> bytes:
    """A GIF canvas with `frames` one-pixel frames placed `at`, alternating
    black and white; `extra` goes before the frames."""
    pixels = (b"\x02\x02\x44\x01\x00", b"\x02\x02\x4c\x01\x00")
    body = b"".join(
        b"\x21\xf9\x04\x00\x0a\x00\x00\x00\x2c"
        + struct.pack("<HHHHB", *at, 1, 1, 0)
        + pixels[n % 2]
        for n in range(frames)
    )
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0)
    return b"GIF89a" + screen + b"\x00\x00\x00\xff\xff\xff" + extra + body + b";"


def saved(size: tuple[int, int], fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture = PILImage.new("RGB", size, (200, 90, 30))
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_with(*segments: bytes) -> bytes:
    """A small valid JPEG with `segments` right after its start marker."""
    data = saved((16, 16), "JPEG")
    return data[:2] + b"".join(segments) + data[2:]


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def apng(width: int, height: int, frames: int) -> bytes:
    """An animated PNG whose header promises `frames` frames of the canvas."""
    control = _chunk(b"acTL", struct.pack(">II", frames, 0))
    return png_header(width, height, control)


def animated_webp(side: int, frames: int) -> bytes:
    buffer = io.BytesIO()
    colours = [(n * 20 % 256, 255 - n * 20 % 256, n % 2 * 255) for n in range(frames)]
    first, *rest = [PILImage.new("RGB", (side, side), c) for c in colours]
    first.save(buffer, "WEBP", save_all=True, append_images=rest, method=0)
    return buffer.getvalue()


def two_picture_jpeg() -> bytes:
    """A JPEG holding two pictures (MPO, as stereo cameras write)."""
    buffer = io.BytesIO()
    left, right = PILImage.new("RGB", (40, 30), "red"), PILImage.new("RGB", (40, 30))
    left.save(buffer, "MPO", save_all=True, append_images=[right])
    return buffer.getvalue()


@dataclass
class Case:
    name: str
    make: Callable[[], bytes]
    # A refusal: words its reason must contain. None: stored, harmless.
    refused: str | None
    # At most: times Pillow opens the file (the header, the check, the
    # re-encoding) and calls to load pixels (one frame: a handful).
    opens: int = 3
    decodes: int = 4
    filename: str = "picture.jpg"


CASES = [
    Case(
        "a shell script renamed .jpg",
        lambda: b"#!/bin/sh\nrm -rf ~\n",
        "not a JPEG",
        0,
        0,
    ),
    Case(
        "a PHP script renamed .gif",
        lambda: b"<?php system($_GET['c']); ?>",
        "not a JPEG",
        0,
        0,
    ),
    Case(
        "an HTML page renamed .png",
        lambda: b"<!doctype html>" + SCRIPT,
        "not a JPEG",
        0,
        0,
    ),
    Case(
        "an SVG with a script",
        lambda: (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            + SCRIPT
            + b"</svg>"
        ),
        "not a JPEG",
        0,
        0,
        "logo.svg",
    ),
    Case("a BMP", lambda: saved((20, 20), "BMP"), "not a JPEG", 0, 0),
    Case("a TIFF", lambda: saved((20, 20), "TIFF"), "not a JPEG", 0, 0),
    Case("a zero-byte file", lambda: b"", "empty", 0, 0),
    Case(
        "a file over the size limit",
        lambda: b"\xff\xd8\xff" + b"\0" * (21 << 20),
        "MB",
        0,
        0,
    ),
    Case(
        "a PNG bomb: 100 bytes, 10 gigapixels",
        lambda: png_header(100_000, 100_000),
        "pixels",
        1,
        0,
    ),
    Case("a PNG of 20000 x 20000", lambda: png_header(20_000, 20_000), "pixels", 1, 0),
    Case("a PNG of 7000 x 7000", lambda: png_header(7_000, 7_000), "pixels", 1, 0),
    Case(
        "a JPEG of 65000 x 65000",
        lambda: saved((1, 1), "JPEG").replace(
            b"\xff\xc0\x00\x11\x08\x00\x01\x00\x01",
            b"\xff\xc0\x00\x11\x08\xfd\xe8\xfd\xe8",
        ),
        "pixels",
        1,
        0,
    ),
    Case(
        "a WebP of 16000 x 16000", lambda: _webp_header(16_000, 16_000), "pixels", 1, 0
    ),
    Case(
        "the frame bomb: 6000 x 6000, 50 frames",
        lambda: gif(6000, 6000, 50),
        "50 frames of 6000 × 6000",
        1,
        0,
    ),
    Case(
        "frames placed far outside a 1 x 1 canvas",
        lambda: gif(1, 1, 50, at=(5999, 5999)),
        "6000 × 6000",
        1,
        0,
    ),
    Case(
        "a GIF with 20,000 frames",
        lambda: gif(2, 2, 20_000),
        "more than 500 frames",
        1,
        0,
    ),
    Case(
        "an APNG promising a million frames",
        lambda: apng(10, 10, 1_000_000),
        "frames",
        1,
        0,
    ),
    Case(
        "an APNG of 50 frames of 4000 x 4000",
        lambda: apng(4_000, 4_000, 50),
        "frames of 4000 × 4000",
        1,
        0,
    ),
    Case(
        "an animated WebP of 12 megapixels",
        lambda: animated_webp(1_000, 12),
        "12 frames of 1000 × 1000",
        1,
        0,
    ),
    Case(
        "a JPEG of 19 MB of empty segments",
        lambda: jpeg_with(b"\xff\xe5\x00\x02" * (TWENTY_MB // 4)),
        "damaged",
        0,
        0,
    ),
    Case(
        "a JPEG with junk between segments",
        lambda: jpeg_with(segment(0xE0, b"JFIF\x00"), b"\x00" * TWENTY_MB),
        "damaged",
        0,
        0,
    ),
    Case(
        "a PNG of 19 MB of empty chunks",
        lambda: png_header(10, 10, _chunk(b"zzZz", b"") * (TWENTY_MB // 12)),
        "damaged",
        0,
        0,
    ),
    Case(
        "a GIF with 19 MB of junk after a frame",
        lambda: gif(4, 4, 1)[:-1] + b"\x00" * TWENTY_MB + b";",
        "damaged",
        0,
        0,
    ),
    Case(
        "a GIF cut in one-byte sub-blocks",
        lambda: gif(4, 4, 2, extra=b"\x21\xfe" + b"\x01A" * (TWENTY_MB // 2) + b"\x00"),
        "damaged",
        0,
        0,
    ),
    Case("a truncated JPEG", lambda: saved((300, 300), "JPEG")[:400], "damaged"),
    Case("a truncated PNG", lambda: saved((300, 300), "PNG")[:60], "damaged"),
    Case("a truncated GIF", lambda: saved((300, 300), "GIF")[:40], "damaged"),
    Case("a truncated WebP", lambda: saved((300, 300), "WEBP")[:40], "damaged"),
    Case(
        "a JPEG header and random bytes",
        lambda: saved((64, 64), "JPEG")[:200] + os.urandom(5_000),
        "damaged",
    ),
    Case(
        "a PNG with a broken checksum",
        lambda: saved((64, 64), "PNG").replace(b"IDAT", b"IDAT\x00", 1),
        "damaged",
    ),
    # Harmless once stored: re-encoded, so nothing of the script is left.
    Case(
        "a GIF that is also a script (comment block)",
        lambda: gif(
            8, 8, 1, extra=b"\x21\xfe" + bytes([len(SCRIPT)]) + SCRIPT + b"\x00"
        ),
        None,
        filename="x.gif",
    ),
    Case(
        "a JPEG that is also an HTML page (comment segment)",
        lambda: jpeg_with(segment(0xFE, b"<html>" + SCRIPT)),
        None,
    ),
    Case(
        "a JPEG with a script in its EXIF",
        lambda: jpeg_with(segment(0xE1, b"Exif\x00\x00" + SCRIPT)),
        None,
    ),
    Case(
        "a PNG with a script in a text chunk",
        lambda: saved((20, 20), "PNG", pnginfo=_text_chunk()),
        None,
        filename="x.png",
    ),
    Case("a JPEG holding two pictures (MPO)", two_picture_jpeg, None),
]


def _webp_header(width: int, height: int) -> bytes:
    """An extended-format WebP header declaring `width` × `height`, and a token
    of image data."""
    canvas = struct.pack("<I", width - 1)[:3] + struct.pack("<I", height - 1)[:3]
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + canvas
    image = b"VP8L" + struct.pack("<I", 6) + b"\x2f\x00\x00\x00\x00\x00"
    body = b"WEBP" + vp8x + image
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _text_chunk():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    return info


class TooMuchWork(BaseException):
    """Raised by the counters as soon as a case takes more work than allowed,
    so a check that would work for a minute fails at once (a BaseException:
    no `except Exception` in the code under test swallows it)."""


def attempt(case: Case) -> list[str]:
    """Send one case through the upload check; what went wrong, if anything."""
    data = case.make()
    opened, decoded = [], []
    real_open, real_load = PILImage.open, ImageFile.ImageFile.load

    def counting_open(*args, **kwargs):
        opened.append(1)
        if len(opened) > case.opens:
            raise TooMuchWork(f"Pillow opened it more than {case.opens} times")
        return real_open(*args, **kwargs)

    def counting_load(picture):
        decoded.append(1)
        if len(decoded) > case.decodes:
            raise TooMuchWork(f"pixels loaded more than {case.decodes} times")
        return real_load(picture)

    problems = []
    upload = SimpleUploadedFile(case.filename, data, content_type="image/jpeg")
    with (
        mock.patch.object(PILImage, "open", counting_open),
        mock.patch.object(ImageFile.ImageFile, "load", counting_load),
    ):
        try:
            cleaned = clean_upload(upload)
        except TooMuchWork as stopped:
            problems.append(str(stopped))
        except ValidationError as refusal:
            reason = refusal.messages[0]
            if case.refused is None:
                problems.append(f"refused a harmless file: {reason}")
            elif case.refused not in reason:
                problems.append(f"refused for another reason: {reason}")
        except Exception as error:  # a 500 for the person uploading
            problems.append(f"raised {error!r}")
        else:
            if case.refused is not None:
                problems.append(f"accepted, not refused ({case.refused})")
            else:
                stored = cleaned.read()
                for piece in (SCRIPT, b"<html>", b"alert"):
                    if piece in stored:
                        problems.append(f"kept {piece!r}")
    return problems


def test_every_hostile_upload_is_refused_or_made_harmless_in_bounded_work(hostile):
    got_through = {}
    for case in CASES:
        if problems := attempt(case):
            got_through[case.name] = problems
    hostile.record("upload", tried=len(CASES), through=len(got_through))
    assert got_through == {}, "\n".join(f"{k}: {v}" for k, v in got_through.items())


@pytest.mark.django_db
def test_a_polyglot_is_served_as_the_picture_it_was_stored_as(client, hostile):
    """A GIF that is also a script, once stored, is a GIF and only a GIF: served
    with its type and nosniff, so no browser takes it for a page or a script."""
    data = gif(8, 8, 1, extra=b"\x21\xfe" + bytes([len(SCRIPT)]) + SCRIPT + b"\x00")
    image = add_image(clean_upload(SimpleUploadedFile("polyglot.gif", data)))
    response = client.get(image.file.url)
    body = b"".join(response.streaming_content)
    served_safely = (
        response.status_code == 200
        and response.headers["Content-Type"] == "image/gif"
        and response.headers["X-Content-Type-Options"] == "nosniff"
        and body.startswith(b"GIF8")
        and SCRIPT not in body
    )
    hostile.record("upload", tried=1, through=0 if served_safely else 1)
    assert served_safely, (response.status_code, dict(response.headers), body[:80])
