"""Writing posts: the list, the editor, autosave, live preview and preview links."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gazette.desk import drafts
from gazette.desk.access import (
    desk_view,
    editable_post,
    forbidden,
    may_change,
    signed_out,
)
from gazette.desk.forms import PostForm
from gazette.desk.templatetags.desk import post_state, when
from gazette.images.forms import ImageUploadForm
from gazette.lib import roles
from gazette.posts.models import Hashtag, Post
from gazette.posts.publishing import (
    make_preview_token,
    publish_post,
    render_body,
    revoke_preview_token,
    trash_post,
    unpublish_post,
    write_post,
)

STATES = {"draft": "Drafts", "scheduled": "Scheduled", "published": "Published"}


@desk_view
def post_list(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.filter(trashed_at__isnull=True).select_related("author")
    author = request.GET.get("author", "").strip()
    if not roles.is_admin(request.user):
        posts = posts.filter(author=request.user)
    elif author:
        posts = posts.filter(author__username=author)
    if query := request.GET.get("q", "").strip():
        posts = posts.filter(title__icontains=query)
    if name := request.GET.get("hashtag", "").strip():
        posts = posts.filter(hashtags__key=Hashtag.make_key(name))
    state = request.GET.get("state", "")
    now, live = timezone.now(), ~Q(status=Post.Status.DRAFT)
    if state == "draft":
        posts = posts.filter(status=Post.Status.DRAFT)
    elif state == "scheduled":
        posts = posts.filter(live, published_at__gt=now)
    elif state == "published":
        posts = posts.filter(live, published_at__lte=now)
    posts = posts.prefetch_related("hashtags").order_by("-updated_at", "-id")
    page = Paginator(posts, 25).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {"page_obj": page, "states": STATES, "state": state, "query": query}
    context |= {"hashtag": name, "author": author, "filters": filters.urlencode()}
    return render(request, "desk/post_list.html", context)


def post_new(request: HttpRequest) -> HttpResponse:
    if not roles.can_use_desk(request.user):
        return drafts.keep_and_sign_in(request, "post", None, reverse("desk:post_new"))
    post = Post(author=request.user)
    if request.method == "GET" and (held := drafts.take_stash(request, "post", None)):
        drafts.autosave_from(request, post, held)
        messages.success(request, "Your text was kept and is saved as a draft.")
        return redirect("desk:post_edit", post.pk)
    if request.method == "POST":
        key = request.POST.get("draft_key", "")
        if pk := drafts.new_draft_for(request, key):
            mine = Post.objects.filter(author=request.user, trashed_at__isnull=True)
            post = mine.filter(pk=pk).first() or post
    return _editor(request, post)


def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not roles.can_use_desk(request.user):
        editor = reverse("desk:post_edit", args=[pk])
        return drafts.keep_and_sign_in(request, "post", pk, editor)
    post = editable_post(request, pk)
    initial = {}
    if request.method == "GET" and (held := drafts.take_stash(request, "post", pk)):
        if may_change(request.user, post):
            drafts.autosave_from(request, post, held)
            initial["hashtags"] = held.get("hashtags", "")
            messages.success(request, _kept_message(post))
    return _editor(request, post, initial)


def _kept_message(post: Post) -> str:
    if post.status == Post.Status.DRAFT:
        return "Your text was kept and is saved as a draft."
    return (
        "Your text was kept as a revision; readers still see the published "
        "version until you update it."
    )


def _editor(request: HttpRequest, post: Post, initial=None) -> HttpResponse:
    user = request.user
    action = request.POST.get("action", "save")
    if request.method == "POST":
        if post.pk and not may_change(user, post):
            return forbidden(request, "Only an author or admin may change this post.")
        if action in ("publish", "unpublish") and not roles.can_publish(user):
            return forbidden(
                request, "Contributors write drafts; an author or admin publishes."
            )
        form = PostForm(request.POST, instance=post)
        if action != "preview" and form.is_valid():
            return _save(request, form, action)
    else:
        form = PostForm(instance=post, initial=initial or {})
        if not post.pk:
            form.initial["draft_key"] = drafts.new_draft_key()
    # The no-script preview: rendered and sanitised by the same code as the blog.
    preview_html = render_body(form["body"].value() or "").html
    status = 400 if form.is_bound and action != "preview" else 200
    context = _context(request, form, post, preview_html)
    return render(request, "desk/post_edit.html", context, status=status)


def _context(request: HttpRequest, form: PostForm, post: Post, preview_html: str):
    autosave = reverse("desk:post_autosave", args=[post.pk] if post.pk else [])
    newest = post.revisions.first() if post.pk else None
    newer = (
        newest
        and newest.created_at > post.updated_at
        and (newest.title, newest.body) != (post.title, post.body)
    )
    link = ""
    if post.preview_token:
        path = reverse("desk:shared_preview", args=[post.preview_token])
        link = request.build_absolute_uri(path)
    return {
        "form": form,
        "post": post,
        "state": post_state(post) if post.pk else "new",
        "can_publish": roles.can_publish(request.user),
        "can_change": not post.pk or may_change(request.user, post),
        "preview_html": preview_html,
        "hashtag_names": Hashtag.objects.values_list("name", flat=True)[:2000],
        "image_form": ImageUploadForm(),
        "autosave_url": autosave,
        "newer_revision": newest if newer else None,
        "preview_link": link,
    }


def _save(request: HttpRequest, form: PostForm, action: str) -> HttpResponse:
    post = form.save(commit=False)
    hashtags = form.cleaned_data["hashtags"]
    if action == "publish":
        at = form.cleaned_data["published_at"]
        publish_post(post, at=at, hashtags=hashtags, author=request.user)
    elif action == "unpublish":
        unpublish_post(post, hashtags=hashtags, author=request.user)
    else:
        write_post(post, hashtags, author=request.user)
    if key := form.cleaned_data.get("draft_key"):
        drafts.remember_new_draft(request, key, post)
    state = post_state(post)
    if state == "scheduled":
        messages.success(request, f"Scheduled for {when(post.published_at)}.")
    elif state == "published":
        messages.success(request, "Published: it is on the blog.")
    else:
        messages.success(request, "Draft saved.")
    return redirect("desk:post_edit", post.pk)


@require_POST
def post_autosave(request: HttpRequest, pk: int | None = None) -> JsonResponse:
    editor = reverse("desk:post_edit", args=[pk]) if pk else reverse("desk:post_new")
    if not roles.can_use_desk(request.user):
        if not request.user.is_authenticated:
            drafts.stash(request, "post", pk)
        return signed_out(request, editor, as_json=True)
    if pk is None:
        known = drafts.new_draft_for(request, request.POST.get("draft_key", ""))
        mine = Post.objects.filter(author=request.user, trashed_at__isnull=True)
        post = mine.filter(pk=known).first() or Post(author=request.user)
    else:
        post = editable_post(request, pk)
    if not may_change(request.user, post):
        return JsonResponse(
            {"error": "Only an author or admin may change this post."}, status=403
        )
    drafts.autosave_from(request, post, request.POST)
    return JsonResponse(
        {
            "saved_at": dateformat.format(timezone.localtime(), "H:i:s"),
            "is_draft": post.status == Post.Status.DRAFT,
            "edit_url": reverse("desk:post_edit", args=[post.pk]),
            "autosave_url": reverse("desk:post_autosave", args=[post.pk]),
        }
    )


@require_POST
def render_preview(request: HttpRequest) -> HttpResponse:
    """The body as the blog would show it, for the editor's live preview."""
    if not roles.can_use_desk(request.user):
        return signed_out(request, reverse("desk:posts"), as_json=True)
    html = render_body(request.POST.get("body", "")).html
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@desk_view
@require_POST
def preview_link(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk)
    if request.POST.get("action") == "revoke":
        revoke_preview_token(post)
        messages.success(request, "The preview link no longer works.")
    else:
        make_preview_token(post)
        messages.success(request, "Anyone with the new preview link can read it.")
    return redirect("desk:post_edit", post.pk)


@never_cache
def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """A post as readers will see it, for anyone with its secret link."""
    posts = Post.objects.filter(trashed_at__isnull=True).for_listing()
    post = get_object_or_404(posts, preview_token=token)
    post.published_at = post.published_at or timezone.now()
    context = {"post": post, "comment_threads": []}
    response = render(request, "desk/shared_preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@desk_view
@require_POST
def post_trash(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk)
    if not may_change(request.user, post):
        return forbidden(request, "Only an author or admin may remove this post.")
    trash_post(post)
    messages.success(
        request, f"“{post.title}” is in the trash; restore it within 30 days."
    )
    return redirect("desk:posts")
