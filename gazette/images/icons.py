"""The blog's icon from Settings, in the shapes browsers ask for: favicon.ico
(16, 32 and 48 pixels in one file) and a 180-pixel PNG for home screens."""

import io

from django.core.cache import cache
from PIL import Image as PILImage
from PIL import ImageOps

from gazette.images.models import Image

ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
TOUCH_SIZE = 180  # what iOS asks for; Android scales it
# Made once per icon: the address carries the icon's id, so a new icon is new keys.
CACHE_SECONDS = 7 * 24 * 3600


def _square(image: Image, size: int) -> PILImage.Image:
    """The picture fitted into a transparent square: icons are square, and a
    logo that is not should be shown whole rather than cut."""
    with image.file.open("rb") as file, PILImage.open(file) as opened:
        picture = ImageOps.exif_transpose(opened).convert("RGBA")
    picture.thumbnail((size, size), PILImage.Resampling.LANCZOS)
    square = PILImage.new("RGBA", (size, size), (0, 0, 0, 0))
    offset = ((size - picture.width) // 2, (size - picture.height) // 2)
    square.paste(picture, offset)
    return square


def _made(image: Image, kind: str, make) -> bytes:
    key = f"gazette:icon:{image.pk}:{kind}"
    data = cache.get(key)
    if data is None:
        data = make()
        cache.set(key, data, CACHE_SECONDS)
    return data


def favicon_ico(image: Image) -> bytes:
    def make() -> bytes:
        out = io.BytesIO()
        _square(image, 48).save(out, format="ICO", sizes=ICO_SIZES)
        return out.getvalue()

    return _made(image, "ico", make)


def touch_icon_png(image: Image) -> bytes:
    def make() -> bytes:
        out = io.BytesIO()
        _square(image, TOUCH_SIZE).save(out, format="PNG", optimize=True)
        return out.getvalue()

    return _made(image, "png", make)
