"""Standalone pages (About, Contact...), written like posts; admins only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gazette.desk.access import admin_view, editable_page
from gazette.desk.forms import PageForm
from gazette.desk.views.editor import EditorKind
from gazette.posts.models import Page
from gazette.posts.writing import trash
from gazette.site import roles

# Pages belong to the whole blog: admins write them all, whoever started one.
PAGE = EditorKind(
    "page",
    PageForm,
    may_write=roles.is_admin,
    refusal="Only an admin may write pages.",
    lookup=editable_page,
    new=lambda request: Page(),
    own=lambda request: Page.objects.filter(trashed_at__isnull=True),
    may_change=lambda user, page: roles.is_admin(user),
    may_publish=roles.is_admin,
)


@admin_view
def page_list(request: HttpRequest) -> HttpResponse:
    pages = Page.objects.filter(trashed_at__isnull=True)
    return render(request, "desk/page_list.html", {"pages": pages})


@admin_view
@require_POST
def page_trash(request: HttpRequest, pk: int) -> HttpResponse:
    page = editable_page(request, pk)
    trash(page)
    messages.success(
        request, f"“{page.title}” is in the trash; restore it within 30 days."
    )
    return redirect("desk:pages")
