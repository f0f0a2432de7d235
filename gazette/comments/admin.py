from django.contrib import admin

from gazette.comments.models import BlockRule, Comment
from gazette.comments.moderation import edit_comment, moderate


def _action(name: str, label: str):
    @admin.action(description=label)
    def act(modeladmin, request, queryset):
        count = moderate(
            queryset.select_related("post"),
            name,
            by=request.user,
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
        modeladmin.message_user(request, f"{count} comment(s): {label.lower()}.")

    act.__name__ = f"moderate_{name}"
    return act


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments change state only through `moderation.moderate`, and text through
    `moderation.edit_comment`, here as in the desk."""

    list_display = ["author_name", "post", "status", "spam_score", "created_at"]
    list_filter = ["status"]
    search_fields = ["author_name", "body"]
    # A comment stays on its post and in its thread; moderators correct the
    # name, email, website and text.
    readonly_fields = [
        "post",
        "parent",
        "user",
        "created_at",
        "status",
        "body_html",
        "ip_address",
        "user_agent",
        "spam_score",
        "spam_reasons",
        "trained_as",
        "fingerprint",
        "reply_notified_at",
    ]
    actions = [
        _action("approve", "Approve"),
        _action("spam", "Mark as spam"),
        _action("not_spam", "Not spam"),
        _action("trash", "Move to trash"),
    ]

    def delete_queryset(self, request, queryset):
        moderate(queryset.select_related("post"), "delete", by=request.user)

    def save_model(self, request, obj, form, change):
        edit_comment(obj, by=request.user)

    def delete_model(self, request, obj):
        moderate([obj], "delete", by=request.user)

    def has_add_permission(self, request):
        return False  # comments come from readers, through the form


@admin.register(BlockRule)
class BlockRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "owner", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value"]
