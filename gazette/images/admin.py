from django.contrib import admin

from gazette.images.forms import ImageAdminForm
from gazette.images.models import Image
from gazette.images.renditions import make_renditions


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["__str__", "width", "height", "uploaded_at"]
    search_fields = ["caption", "alt_text", "credit"]
    readonly_fields = ["width", "height", "markdown"]
    exclude = ["import_ref", "uploaded_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        obj.save()
        if "file" in form.changed_data:
            obj.renditions = make_renditions(obj)
            obj.save(update_fields=["renditions"])

    @admin.display(description="Markdown for a post")
    def markdown(self, obj):
        return obj.markdown() if obj.pk else ""
