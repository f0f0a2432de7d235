"""The Django admin for posts, pages, images and the site settings.

Every change goes through the same write functions as the desk
(`gazette.posts.writing`, `gazette.site.writing`), so a rename keeps the old
address, a save keeps a revision and readers' cached pages follow. The image
admin lives here because changing an image re-renders the posts that show it.
"""

from django.contrib import admin

from gazette.images.forms import ImageAdminForm
from gazette.images.models import Image
from gazette.posts.models import Hashtag, Page, Post
from gazette.posts.writing import write_entry, write_image
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings


class _EntryAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["title"]}
    exclude = ["import_ref"]

    def save_model(self, request, obj, form, change):
        # Saved in save_related, through write_entry, once the form's hashtags
        # are known: nothing is written around it.
        pass

    def save_related(self, request, form, formsets, change):
        entry = form.instance
        hashtags = None
        if "hashtags" in form.cleaned_data:
            hashtags = [h.name for h in form.cleaned_data["hashtags"]]
        write_entry(entry, hashtags, author=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Post)
class PostAdmin(_EntryAdmin):
    list_display = ["title", "status", "published_at", "author"]
    list_filter = ["status", "hashtags"]
    search_fields = ["title"]
    filter_horizontal = ["hashtags"]
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk}


@admin.register(Page)
class PageAdmin(_EntryAdmin):
    list_display = ["title", "status", "position"]


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    """Read-only: hashtags come from the posts that use them."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
        # A new file's renditions are queued for the task worker.
        write_image(obj, author=request.user)

    @admin.display(description="Markdown for a post")
    def markdown(self, obj):
        return obj.markdown() if obj.pk else ""


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "time_zone"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        write_site_settings(obj)
