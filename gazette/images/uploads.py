"""Checking an uploaded picture for what it is, not what it is named.

Pillow opens and verifies every upload; only JPEG, PNG, WebP and GIF pass, within
a size and a pixel-count limit. The stored original is re-encoded from its pixels,
with its orientation applied, so that no EXIF (camera, GPS position) or other
metadata that came with it is kept.
"""

import io
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

# Pillow format name -> file suffix.
ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# 40 megapixels: more than most cameras, far less than a decompression bomb needs.
MAX_PIXELS = 40_000_000

NOT_A_PICTURE = "This file is not a JPEG, PNG, WebP or GIF picture."
DAMAGED = "This picture is damaged and cannot be read."


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
    try:
        with warnings.catch_warnings():
            # Pillow only warns about an image just over its own limit; refuse it.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            file.seek(0)
            with PILImage.open(file, formats=list(ALLOWED_FORMATS)) as probe:
                image_format = probe.format
                assert image_format is not None  # one of `formats`, once opened
                _check_pixels(probe.width, probe.height)
                probe.verify()
            file.seek(0)
            with PILImage.open(file, formats=[image_format]) as picture:
                picture.load()
                data = _reencode(picture, image_format)
    except (UnidentifiedImageError, ValueError) as error:
        raise ValidationError(NOT_A_PICTURE, code="not_a_picture") from error
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as e:
        raise ValidationError(_too_many_pixels_message(), code="too_many_pixels") from e
    except (OSError, SyntaxError, EOFError, IndexError, TypeError) as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    stem = slugify(PurePosixPath(file.name or "").stem)[:80] or "image"
    return ContentFile(data, name=stem + ALLOWED_FORMATS[image_format])


def _too_many_pixels_message(width: int = 0, height: int = 0) -> str:
    allowed = f"at most {MAX_PIXELS // 1_000_000} megapixels are allowed"
    if width and height:
        return f"This picture is {width} × {height} pixels; {allowed}."
    return f"This picture declares more pixels than Gazette accepts; {allowed}."


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _too_many_pixels_message(width, height), code="too_many_pixels"
        )


# What Pillow would carry from a source's info into a file it saves: the JPEG
# comment segment, EXIF and XMP. None of it is written again.
METADATA_KEYS = ("comment", "exif", "xmp", "XML:com.adobe.xmp")


def without_metadata(picture: PILImage.Image) -> PILImage.Image:
    """`picture` with the metadata Pillow would save again taken out of its
    info (the pixels, frames and colour profile stay)."""
    for key in METADATA_KEYS:
        picture.info.pop(key, None)
    return picture


def _reencode(picture: PILImage.Image, image_format: str) -> bytes:
    """The picture's pixels in a new file: orientation applied, metadata left out."""
    buffer = io.BytesIO()
    if getattr(picture, "is_animated", False):
        # Every frame is kept; the metadata and comments of the source are not.
        picture.info.pop("comment", None)
        picture.save(buffer, image_format, save_all=True, exif=b"", comment=b"")
        return buffer.getvalue()
    upright = without_metadata(ImageOps.exif_transpose(picture))
    options = {}
    if image_format == "JPEG":
        options = {"quality": 90, "icc_profile": picture.info.get("icc_profile")}
    elif image_format == "WEBP":
        options = {"quality": 90}
    elif image_format == "GIF":
        upright.info.pop("comment", None)
    upright.save(buffer, image_format, **options)
    return buffer.getvalue()
