"""Standalone pages (About, Contact...), written like posts; admins only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from gazette.desk import drafts
from gazette.desk.access import admin_view, editable_page, forbidden, signed_out
from gazette.desk.forms import PageForm
from gazette.images.forms import ImageUploadForm
from gazette.lib import roles
from gazette.posts.models import Page
from gazette.posts.publishing import render_body, trash_page, write_page


@admin_view
def page_list(request: HttpRequest) -> HttpResponse:
    pages = Page.objects.filter(trashed_at__isnull=True)
    return render(request, "desk/page_list.html", {"pages": pages})


def page_new(request: HttpRequest) -> HttpResponse:
    if not roles.is_admin(request.user):
        return _refuse(request, reverse("desk:page_new"), None)
    page = Page()
    if request.method == "GET" and (held := drafts.take_stash(request, "page", None)):
        drafts.autosave_from(request, page, held)
        messages.success(request, "Your text was kept and is saved as a draft.")
        return redirect("desk:page_edit", page.pk)
    if request.method == "POST":
        if pk := drafts.new_draft_for(request, request.POST.get("draft_key", "")):
            page = Page.objects.filter(pk=pk, trashed_at__isnull=True).first() or page
    return _editor(request, page)


def page_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not roles.is_admin(request.user):
        return _refuse(request, reverse("desk:page_edit", args=[pk]), pk)
    page = editable_page(request, pk)
    if request.method == "GET" and (held := drafts.take_stash(request, "page", pk)):
        drafts.autosave_from(request, page, held)
        messages.success(request, "Your text was kept; save to keep it for good.")
    return _editor(request, page)


def _refuse(request: HttpRequest, next_url: str, pk: int | None) -> HttpResponse:
    """Not an admin: other desk users are refused; the signed-out keep their text."""
    if roles.can_use_desk(request.user):
        return forbidden(request, "Only an admin may write pages.")
    return drafts.keep_and_sign_in(request, "page", pk, next_url)


def _editor(request: HttpRequest, page: Page) -> HttpResponse:
    action = request.POST.get("action", "save")
    if request.method == "POST":
        form = PageForm(request.POST, instance=page)
        if action != "preview" and form.is_valid():
            page = form.save(commit=False)
            if action in ("publish", "unpublish"):
                page.is_published = action == "publish"
            write_page(page, author=request.user)
            if key := form.cleaned_data.get("draft_key"):
                drafts.remember_new_draft(request, key, page)
            messages.success(
                request, "Published." if page.is_published else "Draft saved."
            )
            return redirect("desk:page_edit", page.pk)
    else:
        form = PageForm(instance=page)
        if not page.pk:
            form.initial["draft_key"] = drafts.new_draft_key()
    autosave = reverse("desk:page_autosave", args=[page.pk] if page.pk else [])
    context = {
        "form": form,
        "page": page,
        "preview_html": render_body(form["body"].value() or "").html,
        "image_form": ImageUploadForm(),
        "autosave_url": autosave,
    }
    status = 400 if form.is_bound and action != "preview" else 200
    return render(request, "desk/page_edit.html", context, status=status)


@require_POST
def page_autosave(request: HttpRequest, pk: int | None = None) -> JsonResponse:
    editor = reverse("desk:page_edit", args=[pk]) if pk else reverse("desk:page_new")
    if not roles.is_admin(request.user):
        if not request.user.is_authenticated:
            drafts.stash(request, "page", pk)
            return signed_out(request, editor, as_json=True)
        return JsonResponse({"error": "Only an admin may write pages."}, status=403)
    if pk is None:
        known = drafts.new_draft_for(request, request.POST.get("draft_key", ""))
        page = Page.objects.filter(pk=known, trashed_at__isnull=True).first() or Page()
    else:
        page = editable_page(request, pk)
    drafts.autosave_from(request, page, request.POST)
    return JsonResponse(
        {
            "saved_at": dateformat.format(timezone.localtime(), "H:i:s"),
            "is_draft": not page.is_published,
            "edit_url": reverse("desk:page_edit", args=[page.pk]),
            "autosave_url": reverse("desk:page_autosave", args=[page.pk]),
        }
    )


@admin_view
@require_POST
def page_trash(request: HttpRequest, pk: int) -> HttpResponse:
    page = editable_page(request, pk)
    trash_page(page)
    messages.success(
        request, f"“{page.title}” is in the trash; restore it within 30 days."
    )
    return redirect("desk:pages")
