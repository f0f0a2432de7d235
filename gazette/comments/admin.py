from django.contrib import admin

from gazette.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "post", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["author_name", "body"]
    readonly_fields = ["body_html", "ip_address", "spam_score", "spam_reasons"]
    raw_id_fields = ["post", "parent", "user"]
