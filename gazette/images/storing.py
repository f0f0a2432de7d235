"""Adding an image to the library: save the (already cleaned) file, and queue its
renditions for the task worker."""

from django.db import transaction

from gazette.images.models import Image
from gazette.images.tasks import queue_renditions


@transaction.atomic
def add_image(
    file,
    *,
    alt_text: str = "",
    caption: str = "",
    credit: str = "",
    uploaded_by=None,
    import_ref: str | None = None,
) -> Image:
    image = Image(
        file=file,
        alt_text=alt_text,
        caption=caption,
        credit=credit,
        uploaded_by=uploaded_by,
        import_ref=import_ref,
    )
    try:
        image.save()
        queue_renditions(image)
    except Exception:
        # The row goes with the transaction; the file written for it goes too.
        if image.file.name:
            image.file.delete(save=False)
        raise
    return image
