from django.apps import AppConfig
from django.db.models.signals import pre_delete


class ImagesConfig(AppConfig):
    name = "gazette.images"
    label = "images"

    def ready(self):
        from gazette.images.models import Image
        from gazette.site.writing import picture_changed

        def removing(sender, instance, **kwargs) -> None:
            # Before the delete: afterwards the settings no longer name it.
            picture_changed(instance.pk)

        # Pictures are removed in the Django admin; the blog's own go with them.
        pre_delete.connect(
            removing, sender=Image, weak=False, dispatch_uid="gazette.images.removing"
        )
