"""The image work done by the task worker (`gazette worker`), never in a request:
the renditions of a new or replaced picture.

Until they exist, pages show the original, which the upload already re-encoded
within its budget. When they are made, `renditions_made` is sent so that what
shows the picture (the posts and pages rendered with its srcset) is rendered
again; `gazette.posts` listens. The site app is told directly (it sits below
images): a logo, header picture or icon is on every page.
"""

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import Signal
from django.tasks import task

from gazette.images.models import Image
from gazette.images.renditions import make_renditions
from gazette.site import writing as site_writing

logger = logging.getLogger(__name__)

# Sent with `image` inside the transaction that stores its new renditions.
renditions_made = Signal()


def queue_renditions(image: Image) -> None:
    """Have the worker make `image`'s renditions; until then it has none, so no
    page offers copies of a picture it no longer is.

    Queued inside the caller's transaction: the database queue shows the task to
    the worker only once the image row it needs is committed, and drops it with
    the row if the transaction fails.
    """
    if old := image.renditions:
        Image.objects.filter(pk=image.pk).update(renditions=[])
        image.renditions = []
        transaction.on_commit(lambda: _delete(old))
    make_image_renditions.enqueue(image.pk, str(image.file.name))


@task()
def make_image_renditions(image_id: int, file_name: str) -> None:
    """Make the renditions of image `image_id`, as long as its file is still
    `file_name` (a file replaced since has its own task queued)."""
    image = Image.objects.filter(pk=image_id, file=file_name).first()
    if image is None:
        return
    renditions = make_renditions(image)
    with transaction.atomic():
        still_there = Image.objects.filter(pk=image_id, file=file_name)
        if not still_there.update(renditions=renditions):
            transaction.on_commit(lambda: _delete(renditions))
            return
        image.renditions = renditions
        renditions_made.send(sender=Image, image=image)
        site_writing.picture_changed(image.pk)
    logger.info("Made %d renditions of %s", len(renditions), file_name)


def _delete(renditions: list[dict]) -> None:
    for rendition in renditions:
        default_storage.delete(rendition["name"])
