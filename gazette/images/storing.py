"""Adding an image to the library: save the file, then make its renditions once."""

from django.db import transaction

from gazette.images.models import Image
from gazette.images.renditions import make_renditions


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
    image.save()
    try:
        image.renditions = make_renditions(image)
        image.save(update_fields=["renditions"])
    except Exception:
        # The row goes with the transaction; the file written for it goes too.
        image.file.delete(save=False)
        raise
    return image
