import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone

from gazette.lib.markup import ImageInfo


class ImageQuerySet(models.QuerySet["Image"]):
    def info_by_url(self, urls: list[str]) -> dict[str, ImageInfo]:
        """What the Markdown renderer needs to know of the uploaded images at `urls`."""
        prefix = settings.MEDIA_URL
        names = [u.removeprefix(prefix) for u in urls if u.startswith(prefix)]
        return {image.file.url: image.info() for image in self.filter(file__in=names)}


def upload_path(instance: "Image", filename: str) -> str:
    """Where an upload is stored: a new name every time, even for a file that
    replaces a deleted one of the same name, because uploads are served with a
    year's caching and what is at an address must never change."""
    name = PurePosixPath(filename)
    return (
        f"images/{timezone.now():%Y/%m}/{name.stem}-{secrets.token_hex(4)}{name.suffix}"
    )


class Image(models.Model):
    """An uploaded picture with what a reader is told about it."""

    file = models.ImageField(
        upload_to=upload_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the picture shows, for screen readers.",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    # [{"width": 480, "format": "webp", "name": "images/renditions/..."}], made once.
    renditions = models.JSONField(default=list, editable=False)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    import_ref = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.caption or self.alt_text or self.file.name or ""

    def srcset(self, image_format: str | None = None) -> str:
        """`srcset` for the renditions of one format (the original's by default)."""
        from django.core.files.storage import default_storage

        wanted = image_format or self.original_format
        parts = [
            f"{default_storage.url(r['name'])} {r['width']}w"
            for r in self.renditions
            if r["format"] == wanted
        ]
        return ", ".join(parts)

    @property
    def original_format(self) -> str:
        suffix = PurePosixPath(self.file.name or "").suffix.lower()
        return {".png": "png", ".gif": "gif", ".webp": "webp"}.get(suffix, "jpeg")

    def info(self) -> ImageInfo:
        webp = self.srcset("webp") if self.original_format != "webp" else ""
        return ImageInfo(
            width=self.width,
            height=self.height,
            srcset=self.srcset(),
            webp_srcset=webp,
            credit=self.credit,
        )

    def markdown(self) -> str:
        """The Markdown that puts this image in a post as a captioned figure."""
        alt = self.alt_text.replace("]", "\\]").replace("[", "\\[")
        caption = self.caption.replace('"', '\\"')
        title = f' "{caption}"' if caption else ""
        return f"![{alt}]({self.file.url}{title})"
