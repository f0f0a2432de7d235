"""How much work an upload asks for, read from its structure before any pixel is
decoded, and the limits that keep every upload to about a second of work.

Decoding and re-encoding a picture costs time in proportion to its pixels, frame
by frame: a 28 KB GIF declaring a 6000 × 6000 canvas and 50 frames asks for
1,800 million pixels to be re-encoded, minutes of a worker's time. So the
frames, the canvas and their product are read from the file's header and
checked against the limits below before Pillow decodes anything.

Pillow's own header parsing walks the file in Python, one segment, chunk or
block at a time; a 20 MB file made of empty JPEG segments, PNG chunks or GIF
sub-blocks keeps it busy for a minute before a single pixel. So the structure
is walked here first, in bounded loops, and a file built of more pieces than
real encoders write is refused as damaged. The walk also finds what Pillow only
finds frame by frame: how many frames a GIF has and how far its frames reach
(a frame outside the declared canvas makes Pillow enlarge the canvas).
"""

import io
import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image as PILImage

# Pillow format name -> what people call it.
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}

# One frame's pixels: bounds the memory a decoded frame takes (4 bytes a pixel).
MAX_FRAME_PIXELS = 40_000_000
MAX_FRAMES = 500
# Pixels over all frames, per format, so that decoding and re-encoding the
# costliest picture each allows takes about a second of one core (Pillow 13 on
# the 2-core server Gazette is tried on, measured in CPU time on photos,
# screenshots and noise; the 20 MB file limit bounds the noisy ones too):
# JPEG 40 MP photo 0.4 s; PNG 12 MP photo (the most detail 20 MB holds) 1.1 s,
# 16 MP screenshot or drawing well under; WebP 8 MP of noise 1.1 s, photo
# 0.6 s; GIF animation of 20 MP over its frames 1.1 s. Before these limits the
# 6000 × 6000 × 50 GIF (1,800 MP) took 30 s and a 39.7 MP PNG 17.5 s.
PIXEL_BUDGET = {
    "JPEG": 40_000_000,
    "PNG": 16_000_000,
    "WEBP": 8_000_000,
    "GIF": 20_000_000,
}
# Pieces of structure Pillow walks in Python: real files stay far below these
# (a 20 MB PNG in libpng's 8 KB chunks has 2,600; a 20 MB GIF in 255-byte
# sub-blocks 82,000; a JPEG's header a dozen segments, a few hundred with a
# large colour profile). A few milliseconds each way at most.
MAX_JPEG_SEGMENTS = 1_000
MAX_PNG_CHUNKS = 20_000
MAX_GIF_BLOCKS = 200_000

NOT_A_PICTURE = "This file is not a JPEG, PNG, WebP or GIF picture."
DAMAGED = "This picture is damaged and cannot be read."


@dataclass(frozen=True)
class Work:
    """What re-encoding a picture means: `frames` frames of `width` × `height`."""

    image_format: str  # Pillow's name: JPEG, PNG, WEBP or GIF
    width: int
    height: int
    frames: int

    @property
    def frame_pixels(self) -> int:
        return self.width * self.height

    @property
    def pixels(self) -> int:
        return self.frames * self.frame_pixels


def read_work(data: bytes) -> Work:
    """The work `data` asks for, checked against the limits; nothing decoded.

    Raises ValidationError with a reason a person can act on.
    """
    image_format = _sniff(data)
    frames, reach = 1, (0, 0)
    if image_format == "JPEG":
        _walk_jpeg(data)
    elif image_format == "PNG":
        _walk_png(data)
    elif image_format == "GIF":
        frames, reach = _walk_gif(data)
    try:
        # Pillow reads the header only; MPO is how it opens a JPEG with more
        # than one picture in it (stereo cameras), of which the first is kept.
        with PILImage.open(io.BytesIO(data), formats=[image_format, "MPO"]) as probe:
            width, height = max(probe.width, reach[0]), max(probe.height, reach[1])
            if image_format in ("PNG", "WEBP"):
                # Read from the header (acTL chunk, WebP demuxer), not counted.
                frames = getattr(probe, "n_frames", 1)
    except PILImage.DecompressionBombError as error:
        raise ValidationError(_too_many_pixels(None), code="too_many_pixels") from error
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    work = Work(image_format, width, height, frames)
    check(work)
    return work


def check(work: Work) -> None:
    """Refuse work past any limit, saying what the picture is and what fits."""
    if work.frames > MAX_FRAMES:
        raise ValidationError(
            f"This animation has {_frames(work.frames)}; "
            f"Gazette accepts up to {MAX_FRAMES} frames.",
            code="too_many_frames",
        )
    if work.frame_pixels > MAX_FRAME_PIXELS:
        raise ValidationError(_too_many_pixels(work), code="too_many_pixels")
    budget = PIXEL_BUDGET[work.image_format]
    if work.pixels <= budget:
        return
    name = FORMAT_NAMES[work.image_format]
    if work.frames == 1:
        raise ValidationError(
            f"This {name} picture is {work.width} × {work.height} pixels "
            f"({_megapixels(work.pixels)}); a {name} may have up to "
            f"{_megapixels(budget)}. Make it smaller, or save it as a JPEG.",
            code="too_much_work",
        )
    raise ValidationError(
        f"This animation has {_frames(work.frames)} of {work.width} × "
        f"{work.height} pixels ({_megapixels(work.pixels)} in all); an animated "
        f"{name} may have up to {_megapixels(budget)} in all its frames together. "
        "Make it smaller or shorter.",
        code="too_much_work",
    )


def _frames(count: int) -> str:
    return f"more than {MAX_FRAMES} frames" if count > MAX_FRAMES else f"{count} frames"


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.1f}".removesuffix(".0") + " megapixels"


def _too_many_pixels(work: Work | None) -> str:
    allowed = f"at most {_megapixels(MAX_FRAME_PIXELS)} are allowed"
    if work is None:
        return f"This picture declares more pixels than Gazette accepts; {allowed}."
    return f"This picture is {work.width} × {work.height} pixels; {allowed}."


def _sniff(data: bytes) -> str:
    """The format the first bytes announce; what the file is named does not count."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise ValidationError(NOT_A_PICTURE, code="not_a_picture")


def _damaged() -> ValidationError:
    return ValidationError(DAMAGED, code="damaged")


def _walk_jpeg(data: bytes) -> None:
    """Walk the segments before the image data, as Pillow's header parser does
    (what follows is decoded by libjpeg, in C)."""
    position, segments = 2, 0
    while position < len(data):
        segments += 1
        if segments > MAX_JPEG_SEGMENTS or data[position] != 0xFF:
            raise _damaged()  # junk between segments, or far too many segments
        marker = data[position + 1] if position + 1 < len(data) else -1
        if marker == 0xFF:  # a fill byte before a marker
            position += 1
        elif marker == 0xDA or marker == 0xD9:  # start of scan, end of image
            return
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers with no length
            position += 2
        else:
            if position + 4 > len(data):
                raise _damaged()
            (length,) = struct.unpack_from(">H", data, position + 2)
            position += 2 + length
    raise _damaged()  # no image data at all


def _walk_png(data: bytes) -> None:
    position, chunks = 8, 0
    while position + 8 <= len(data):
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise _damaged()
        length, kind = struct.unpack_from(">I4s", data, position)
        position += 12 + length
        if kind == b"IEND":
            return
    # Cut short: Pillow decides whether what is there can be read.


def _walk_gif(data: bytes) -> tuple[int, tuple[int, int]]:
    """The number of frames (counting stops past MAX_FRAMES) and how far right
    and down the frames reach."""
    if len(data) < 13:
        raise _damaged()
    flags = data[10]
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames, right, bottom, blocks = 0, 0, 0, 0

    def skip_sub_blocks(position: int) -> int:
        nonlocal blocks
        while position < len(data):
            blocks += 1
            if blocks > MAX_GIF_BLOCKS:
                raise _damaged()
            size = data[position]
            position += 1 + size
            if size == 0:
                return position
        return position

    while position < len(data) and frames <= MAX_FRAMES:
        introducer = data[position]
        if introducer == 0x3B:  # trailer
            break
        if introducer == 0x21:  # extension: a label, then sub-blocks
            position = skip_sub_blocks(position + 2)
        elif introducer == 0x2C:  # a frame
            if position + 10 > len(data):
                break
            left, top, width, height, flags = struct.unpack_from(
                "<HHHHB", data, position + 1
            )
            frames += 1
            right, bottom = max(right, left + width), max(bottom, top + height)
            position += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
            position = skip_sub_blocks(position + 1)  # after the LZW code size
        else:
            # Pillow would step over this byte by byte, in Python.
            raise _damaged()
    return max(frames, 1), (right, bottom)
