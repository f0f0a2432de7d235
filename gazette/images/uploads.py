"""Checking an uploaded picture for what it is, not what it is named, and storing
it without what came with it.

The file's first bytes and structure decide its format (JPEG, PNG, WebP or GIF;
nothing else, SVG included, is a picture here). Before any pixel is decoded,
`budget.read_work` reads from the header how much work the picture asks for
(frames × width × height) and refuses more than about a second's worth. Then
Pillow verifies it, and the stored original is re-encoded from its pixels, with
its orientation applied, so that no EXIF (camera, GPS position), XMP or comment
that came with it is kept, and no bytes of the upload reach a reader unchanged
(a file that is both a GIF and a script comes out a GIF only).

The re-encoding stays in the request, while the resized renditions are made by
the task worker (`tasks.make_image_renditions`): the file an author gets back,
and whose Markdown goes into a post at once, must already be safe to serve (an
upload kept aside until a worker cleaned it would show nothing, or the photo's
GPS position, in the meantime), and the budget keeps the re-encoding to about a
second of one worker; the renditions (three widths, WebP besides) cost several
times that, and nobody waits for them.
"""

import io
import struct
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageOps

from gazette.images.budget import (
    DAMAGED,
    MAX_FRAME_PIXELS,
    NOT_A_PICTURE,
    Work,
    read_work,
)

__all__ = [
    "ALLOWED_FORMATS",
    "DAMAGED",
    "MAX_PIXELS",
    "NOT_A_PICTURE",
    "clean_upload",
    "without_metadata",
]

# Pillow format name -> file suffix.
ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# The most pixels one picture may have (the budget may allow fewer).
MAX_PIXELS = MAX_FRAME_PIXELS


def max_upload_bytes() -> int:
    return settings.GAZETTE_MAX_UPLOAD_MB * 1024 * 1024


def clean_upload(file) -> ContentFile:
    """The upload re-encoded without metadata, named by its real format.

    Raises ValidationError with a reason a person can act on.
    """
    limit = settings.GAZETTE_MAX_UPLOAD_MB
    if file.size > max_upload_bytes():
        megabytes = file.size / 1024 / 1024
        raise ValidationError(
            f"This file is {megabytes:.1f} MB; pictures may be up to {limit} MB.",
            code="too_big",
        )
    if not file.size:
        raise ValidationError("This file is empty.", code="empty")
    file.seek(0)
    data = file.read()
    with warnings.catch_warnings():
        # A header past Pillow's own pixel limit: the budget refuses it already.
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        work = read_work(data)
        try:
            with _open(data, work) as probe:
                probe.verify()
            with _open(data, work) as picture:
                encoded = _reencode(picture, work)
        except (
            # Pillow found more than the header said: the file contradicts itself.
            PILImage.DecompressionBombError,
            ValueError,
            OSError,
            SyntaxError,
            EOFError,
            IndexError,
            TypeError,
            struct.error,
        ) as error:
            raise ValidationError(DAMAGED, code="damaged") from error
    stem = slugify(PurePosixPath(file.name or "").stem)[:80] or "image"
    return ContentFile(encoded, name=stem + ALLOWED_FORMATS[work.image_format])


def _open(data: bytes, work: Work) -> PILImage.Image:
    return PILImage.open(io.BytesIO(data), formats=[work.image_format, "MPO"])


# What Pillow would carry from a source's info into a file it saves: the JPEG
# comment segment, EXIF and XMP. None of it is written again.
METADATA_KEYS = ("comment", "exif", "xmp", "XML:com.adobe.xmp")


def without_metadata(picture: PILImage.Image) -> PILImage.Image:
    """`picture` with the metadata Pillow would save again taken out of its
    info (the pixels, frames and colour profile stay)."""
    for key in METADATA_KEYS:
        picture.info.pop(key, None)
    return picture


def _reencode(picture: PILImage.Image, work: Work) -> bytes:
    """The picture's pixels in a new file: orientation applied, metadata left out.

    Only `work.frames` frames were paid for: an animation is re-encoded whole,
    anything else (a JPEG with a second picture in it) as its first frame.
    """
    buffer = io.BytesIO()
    image_format = work.image_format
    options: dict[str, object] = {}
    if image_format == "JPEG":
        options = {"quality": 90, "icc_profile": picture.info.get("icc_profile")}
    elif image_format == "PNG":
        # zlib's fastest level: files a tenth larger, in half the time; the
        # renditions readers mostly get are compressed harder, by the worker.
        options = {"compress_level": 1}
    elif image_format == "WEBP":
        # A faster method than the default 4: the same quality in files a few
        # per cent larger, in half the time (0 is faster still, but fails on
        # large, detailed pictures).
        options = {"quality": 90, "method": 2}
    if work.frames > 1:
        # Every frame is kept; the metadata and comments of the source are not.
        without_metadata(picture)
        picture.save(
            buffer, image_format, save_all=True, exif=b"", comment=b"", **options
        )
        return buffer.getvalue()
    picture.load()
    upright = without_metadata(ImageOps.exif_transpose(picture))
    upright.save(buffer, image_format, **options)
    return buffer.getvalue()
