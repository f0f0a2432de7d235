"""Revisions of a post or page: the list, a diff between any two, and restore."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gazette.desk.access import (
    admin_view,
    desk_view,
    editable_page,
    editable_post,
    forbidden,
    may_change,
)
from gazette.desk.diffs import diff_revisions
from gazette.desk.templatetags.desk import when
from gazette.posts.models import Revision
from gazette.posts.writing import restore_revision
from gazette.site import roles


@desk_view
def post_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk)
    editor = reverse("desk:post_edit", args=[pk])
    can_restore = may_change(request.user, post)
    return _revisions(request, post, post.revisions, editor, can_restore)


@admin_view
def page_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    page = editable_page(request, pk)
    editor = reverse("desk:page_edit", args=[pk])
    return _revisions(request, page, page.revisions, editor, True)


def _pick(revisions: list[Revision], value: str | None) -> Revision | None:
    try:
        wanted = int(value or "")
    except ValueError:
        return None
    return next((r for r in revisions if r.pk == wanted), None)


def _revisions(request, item, revisions, editor: str, can_restore: bool):
    revisions = list(revisions.select_related("author")[:200])
    # By default, the newest revision against the one before it.
    old = _pick(revisions, request.GET.get("a")) or next(iter(revisions[1:2]), None)
    new = _pick(revisions, request.GET.get("b")) or next(iter(revisions[:1]), None)
    if old and new and old.created_at > new.created_at:
        old, new = new, old
    context = {
        "item": item,
        "revisions": revisions,
        "old": old,
        "new": new,
        "changes": diff_revisions(old, new) if old and new else [],
        "editor_url": editor,
        "can_restore": can_restore,
    }
    return render(request, "desk/revisions.html", context)


@desk_view
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    revision = get_object_or_404(Revision, pk=pk)
    if revision.post_id:
        post = editable_post(request, revision.post_id)
        if not may_change(request.user, post):
            return forbidden(request, "Only an author or admin may change this post.")
        revision.post = post
        editor = reverse("desk:post_edit", args=[post.pk])
    else:
        if not roles.is_admin(request.user):
            return forbidden(request, "Only an admin may write pages.")
        assert revision.page_id is not None  # a revision not of a post is a page's
        revision.page = editable_page(request, revision.page_id)
        editor = reverse("desk:page_edit", args=[revision.page_id])
    restore_revision(revision, author=request.user)
    messages.success(
        request,
        f"Restored the version of {when(revision.created_at)}; "
        "that is saved as a new revision.",
    )
    return redirect(editor)
