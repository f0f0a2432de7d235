"""The editor, one for posts and pages: new, edit, autosave, and the text kept
when a session ended while writing.

What differs between the two is described by an `EditorKind` (`posts.POST`,
`pages.PAGE`): who may write, how an entry is found, its form and template.
Saving goes through `gazette.posts.writing`, as everywhere else.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from gazette.desk import accessibility, drafts
from gazette.desk.access import forbidden, signed_out
from gazette.desk.templatetags.desk import entry_state, when
from gazette.images.forms import ImageUploadForm
from gazette.posts.models import Entry, Page, Post
from gazette.posts.writing import publish, render_body, unpublish, write_entry
from gazette.site import roles


@dataclass(frozen=True)
class EditorKind:
    """What differs between the post and the page editor."""

    name: str  # "post" or "page": URL names are desk:<name>_edit and so on
    form: type[ModelForm]
    # Whether this person may open this kind of editor at all, and the reason
    # given to desk users who may not.
    may_write: Callable
    refusal: str
    # The entry to edit (404 for others' posts), and a new one for this person.
    lookup: Callable[[HttpRequest, int], Post | Page]
    new: Callable[[HttpRequest], Post | Page]
    # A writer's entries that are not trashed: where their new drafts are found.
    own: Callable[[HttpRequest], QuerySet]
    # Whether this person may change this entry now, and may publish at all.
    may_change: Callable
    may_publish: Callable
    # What the kind's template shows besides the shared editor.
    # (Its entry is the kind's own: a Post or a Page.)
    context: Callable[[HttpRequest, Any], dict] = lambda request, entry: {}

    @property
    def template(self) -> str:
        return f"desk/{self.name}_edit.html"


def _saved_message(entry: Entry) -> str:
    state = entry_state(entry)
    if state == "scheduled":
        return f"Scheduled for {when(entry.published_at)}."
    if state == "published":
        return "Published: it is on the blog."
    return "Draft saved."


def new_entry(request: HttpRequest, kind: EditorKind) -> HttpResponse:
    if refused := _refuse(request, kind, None):
        return refused
    entry = kind.new(request)
    if request.method == "GET" and (
        held := drafts.take_stash(request, kind.name, None)
    ):
        drafts.autosave_from(request, entry, held)
        if entry.pk is not None:  # there was text to keep
            messages.success(request, "Your text was kept and is saved as a draft.")
            return redirect(f"desk:{kind.name}_edit", entry.pk)
    if request.method == "POST":
        if pk := drafts.new_draft_for(request, request.POST.get("draft_key", "")):
            entry = kind.own(request).filter(pk=pk).first() or entry
    return _editor(request, kind, entry)


def edit_entry(request: HttpRequest, kind: EditorKind, pk: int) -> HttpResponse:
    if refused := _refuse(request, kind, pk):
        return refused
    entry = kind.lookup(request, pk)
    initial = {}
    if request.method == "GET" and (held := drafts.take_stash(request, kind.name, pk)):
        if kind.may_change(request.user, entry):
            drafts.autosave_from(request, entry, held)
            initial["hashtags"] = held.get("hashtags", "")
            messages.success(request, _kept_message(entry))
    return _editor(request, kind, entry, initial)


def _refuse(request: HttpRequest, kind: EditorKind, pk: int | None):
    """None when this person may write; otherwise the answer. Signed-out writers
    keep their text and are asked to sign in again."""
    if kind.may_write(request.user):
        return None
    if roles.can_use_desk(request.user):
        return forbidden(request, kind.refusal)
    args = [pk] if pk else []
    name = f"desk:{kind.name}_edit" if pk else f"desk:{kind.name}_new"
    return drafts.keep_and_sign_in(request, kind.name, pk, reverse(name, args=args))


def _kept_message(entry: Entry) -> str:
    if entry.is_draft:
        return "Your text was kept and is saved as a draft."
    return (
        "Your text was kept as a revision; readers still see the published "
        "version until you update it."
    )


def _editor(
    request: HttpRequest, kind: EditorKind, entry: Entry, initial=None
) -> HttpResponse:
    user = request.user
    action = request.POST.get("action", "save")
    if request.method == "POST":
        if entry.pk and not kind.may_change(user, entry):
            return forbidden(
                request, f"Only an author or admin may change this {kind.name}."
            )
        if action in ("publish", "unpublish") and not kind.may_publish(user):
            return forbidden(
                request, "Contributors write drafts; an author or admin publishes."
            )
        form = kind.form(request.POST, instance=entry)
        if action != "preview" and form.is_valid():
            return _save(request, kind, form, action)
    else:
        form = kind.form(instance=entry, initial=initial or {})
        if not entry.pk:
            form.initial["draft_key"] = drafts.new_draft_key()
    autosave_args = [entry.pk] if entry.pk else []
    body = form["body"].value() or ""
    body_format = form["body_format"].value()
    preview_html = render_body(body, body_format).html
    context = {
        "form": form,
        "kind": kind.name,
        "entry": entry,
        "state": entry_state(entry) if entry.pk else "new",
        "can_change": not entry.pk or kind.may_change(user, entry),
        "can_publish": kind.may_publish(user),
        # The no-script preview: rendered and sanitised by the same code as the blog.
        "preview_html": preview_html,
        "accessibility_warnings": accessibility.check(
            preview_html, markdown=body_format == Post.BodyFormat.MARKDOWN
        ),
        "image_form": ImageUploadForm(),
        "autosave_url": reverse(f"desk:{kind.name}_autosave", args=autosave_args),
    } | kind.context(request, entry)
    if entry.pk:
        context["revisions_url"] = reverse(
            f"desk:{kind.name}_revisions", args=[entry.pk]
        )
        context["trash_url"] = reverse(f"desk:{kind.name}_trash", args=[entry.pk])
    status = 400 if form.is_bound and action != "preview" else 200
    return render(request, kind.template, context, status=status)


def _save(
    request: HttpRequest, kind: EditorKind, form: ModelForm, action: str
) -> HttpResponse:
    entry = form.save(commit=False)
    hashtags = form.cleaned_data.get("hashtags")
    if action == "publish":
        at = form.cleaned_data.get("published_at")
        publish(entry, at=at, hashtags=hashtags, author=request.user)
    elif action == "unpublish":
        unpublish(entry, hashtags=hashtags, author=request.user)
    else:
        write_entry(entry, hashtags, author=request.user)
    if key := form.cleaned_data.get("draft_key"):
        drafts.remember_new_draft(request, key, entry)
    message = _saved_message(entry)
    if action == "publish":
        # Advice, never a gate: the entry is already published (or scheduled).
        markdown = entry.body_format == Post.BodyFormat.MARKDOWN
        found = accessibility.check(entry.body_html, markdown=markdown)
        if notes := accessibility.summary(found):
            message = f"{message} {notes}"
    messages.success(request, message)
    return redirect(f"desk:{kind.name}_edit", entry.pk)


@require_POST
def autosave_entry(
    request: HttpRequest, kind: EditorKind, pk: int | None = None
) -> HttpResponse:
    if not kind.may_write(request.user):
        if roles.can_use_desk(request.user):
            return JsonResponse({"error": kind.refusal}, status=403)
        if not request.user.is_authenticated:
            drafts.stash(request, kind.name, pk)
        name = f"desk:{kind.name}_edit" if pk else f"desk:{kind.name}_new"
        return signed_out(request, reverse(name, args=[pk] if pk else []), as_json=True)
    if pk is None:
        known = drafts.new_draft_for(request, request.POST.get("draft_key", ""))
        entry = kind.own(request).filter(pk=known).first() or kind.new(request)
    else:
        entry = kind.lookup(request, pk)
    if not kind.may_change(request.user, entry):
        return JsonResponse(
            {"error": f"Only an author or admin may change this {kind.name}."},
            status=403,
        )
    drafts.autosave_from(request, entry, request.POST)
    if entry.pk is None:
        return JsonResponse({"nothing_to_save": True})
    return JsonResponse(
        {
            "saved_at": dateformat.format(timezone.localtime(), "H:i:s"),
            "is_draft": entry.is_draft,
            "edit_url": reverse(f"desk:{kind.name}_edit", args=[entry.pk]),
            "autosave_url": reverse(f"desk:{kind.name}_autosave", args=[entry.pk]),
        }
    )
