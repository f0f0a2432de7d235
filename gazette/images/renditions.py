"""Resized copies of an uploaded image, made once when it is saved."""

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps

from gazette.images.uploads import without_metadata

WIDTHS = (480, 960, 1600)
FORMATS = {"jpeg": ("JPEG", ".jpg"), "png": ("PNG", ".png"), "webp": ("WEBP", ".webp")}


def make_renditions(image) -> list[dict]:
    """Write resized copies of `image.file` (original format and WebP), narrower only.

    Returns the list stored in `Image.renditions`. GIFs keep only WebP copies, as
    re-encoding an animation frame by frame is not worth it for a thumbnail.
    """
    image.file.open("rb")
    source: PILImage.Image  # the opened file, then its transposed, converted copy
    try:
        with PILImage.open(image.file) as source:
            source = ImageOps.exif_transpose(source)
            if source.mode not in ("RGB", "RGBA"):
                source = source.convert(
                    "RGBA" if "transparency" in source.info else "RGB"
                )
            original = image.original_format
            formats = ["webp"] if original in ("gif", "webp") else [original, "webp"]
            stem = PurePosixPath(image.file.name).stem
            renditions = []
            for width in WIDTHS:
                if width >= source.width and width != WIDTHS[0]:
                    break
                size = (
                    min(width, source.width),
                    # At least one pixel high, however wide the picture.
                    max(
                        1,
                        round(source.height * min(width, source.width) / source.width),
                    ),
                )
                resized = source.resize(size, PILImage.Resampling.LANCZOS)
                for fmt in formats:
                    renditions.append(_save(resized, stem, size[0], fmt))
            return renditions
    finally:
        image.file.close()


def _save(picture, stem: str, width: int, fmt: str) -> dict:
    pil_format, suffix = FORMATS[fmt]
    if pil_format == "JPEG" and picture.mode != "RGB":
        picture = picture.convert("RGB")
    buffer = io.BytesIO()
    without_metadata(picture).save(buffer, pil_format, quality=82, optimize=True)
    name = default_storage.save(
        f"images/renditions/{stem}-{width}{suffix}", ContentFile(buffer.getvalue())
    )
    return {"width": width, "format": fmt, "name": name}
