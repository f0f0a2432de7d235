from django.contrib import admin

from gazette.posts.models import Hashtag, Page, Post, SiteSettings
from gazette.posts.publishing import save_page, save_post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "author"]
    list_filter = ["status", "hashtags"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["hashtags"]
    date_hierarchy = "published_at"
    exclude = ["import_ref"]

    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        obj.save()

    def save_related(self, request, form, formsets, change):
        # Hashtags chosen in the form are saved first, then the body is rendered
        # and its inline #hashtags are added to them.
        super().save_related(request, form, formsets, change)
        save_post(form.instance)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk}


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "position"]
    prepopulated_fields = {"slug": ["title"]}
    exclude = ["import_ref"]

    def save_model(self, request, obj, form, change):
        save_page(obj)


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "time_zone"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
