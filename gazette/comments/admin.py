from django.contrib import admin

from gazette.comments import services
from gazette.comments.models import BlockRule, Comment


def _action(name: str, label: str):
    def act(modeladmin, request, queryset):
        count = services.moderate(
            queryset.select_related("post"),
            name,
            by=request.user,
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
        modeladmin.message_user(request, f"{count} comment(s): {label.lower()}.")

    act.__name__ = f"moderate_{name}"
    act.short_description = label
    return act


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments change state only through `services.moderate`, here as in the desk."""

    list_display = ["author_name", "post", "status", "spam_score", "created_at"]
    list_filter = ["status"]
    search_fields = ["author_name", "body"]
    readonly_fields = [
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
    raw_id_fields = ["post", "parent", "user"]
    actions = [
        _action("approve", "Approve"),
        _action("spam", "Mark as spam"),
        _action("not_spam", "Not spam"),
        _action("trash", "Move to trash"),
    ]

    def delete_queryset(self, request, queryset):
        services.moderate(queryset.select_related("post"), "delete", by=request.user)

    def save_model(self, request, obj, form, change):
        from gazette.lib.markup import render_comment

        obj.body_html = render_comment(obj.body)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.moderate([obj], "delete", by=request.user)

    def has_add_permission(self, request):
        return False  # comments come from readers, through the form


@admin.register(BlockRule)
class BlockRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "owner", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value"]
