"""The trash: what was deleted in the last 30 days, and restoring it.

Older items are deleted for good when the trash is opened (and by the
`purge_trash` command), so no scheduled job is needed.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gazette.desk.access import (
    admin_view,
    desk_view,
    editable_page,
    editable_post,
    forbidden,
    may_change,
)
from gazette.posts.models import Page, Post
from gazette.posts.writing import TRASH_DAYS, purge_trash, restore
from gazette.site import roles


@desk_view
def trash(request: HttpRequest) -> HttpResponse:
    purge_trash()
    posts = Post.objects.filter(trashed_at__isnull=False).select_related("author")
    pages = Page.objects.filter(trashed_at__isnull=False)
    if not roles.is_admin(request.user):
        assert request.user.is_authenticated  # desk_view let only desk users in
        posts = posts.filter(author=request.user)
        pages = pages.none()
    context = {
        "posts": posts.order_by("-trashed_at"),
        "pages": pages.order_by("-trashed_at"),
        "keep_for": timedelta(days=TRASH_DAYS),
        "days": TRASH_DAYS,
    }
    return render(request, "desk/trash.html", context)


@desk_view
@require_POST
def post_restore(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk, trashed=True)
    if not may_change(request.user, post):
        return forbidden(request, "Only an author or admin may restore this post.")
    restore(post)
    messages.success(request, f"“{post.title}” is back.")
    return redirect("desk:post_edit", post.pk)


@admin_view
@require_POST
def page_restore(request: HttpRequest, pk: int) -> HttpResponse:
    page = editable_page(request, pk, trashed=True)
    restore(page)
    messages.success(request, f"“{page.title}” is back.")
    return redirect("desk:page_edit", page.pk)
