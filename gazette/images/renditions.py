"""Resized copies of an uploaded image, made by the task worker after the upload
(`tasks.make_image_renditions`), never in a request.

The original they are made from was re-encoded within the upload budget, so
their work is bounded too: one frame (an animation's first) of at most 40
megapixels, made smaller width by width.
"""

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
    re-encoding an animation frame by frame is not worth it for a thumbnail. If
    any copy fails, the ones already written are removed.
    """
    made: list[dict] = []
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
            for size in _sizes(source.width, source.height):
                # reducing_gap: a quick reduction first, then Lanczos on far
                # fewer pixels; the result is indistinguishable at these sizes.
                resized = source.resize(
                    size, PILImage.Resampling.LANCZOS, reducing_gap=3.0
                )
                for fmt in formats:
                    made.append(_save(resized, stem, size[0], fmt))
            return made
    except BaseException:
        for rendition in made:
            default_storage.delete(rendition["name"])
        raise
    finally:
        image.file.close()


def _sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes to make: each of WIDTHS narrower than the original (the first
    one always, at most the original's width), at least one pixel high."""
    sizes = []
    for wanted in WIDTHS:
        if wanted >= width and wanted != WIDTHS[0]:
            break
        narrow = min(wanted, width)
        sizes.append((narrow, max(1, round(height * narrow / width))))
    return sizes


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
