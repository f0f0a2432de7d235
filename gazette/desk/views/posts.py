"""Writing posts: the list, the editor, autosave, live preview and preview links."""

from dataclasses import asdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gazette.desk import accessibility
from gazette.desk.access import (
    desk_view,
    editable_post,
    forbidden,
    may_change,
    signed_out,
    wants_json,
)
from gazette.desk.forms import PostForm
from gazette.desk.views.editor import EditorKind
from gazette.posts.models import Hashtag, Post
from gazette.posts.writing import (
    make_preview_token,
    render_body,
    revoke_preview_token,
    trash,
)
from gazette.site import roles

STATES = {"draft": "Drafts", "scheduled": "Scheduled", "published": "Published"}


@desk_view
def post_list(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.filter(trashed_at__isnull=True).select_related("author")
    author = request.GET.get("author", "").strip()
    if not roles.is_admin(request.user):
        assert request.user.is_authenticated  # desk_view let only desk users in
        posts = posts.filter(roles.editable_by(request.user))
    elif author:
        posts = posts.filter(author__username=author)
    if query := request.GET.get("q", "").strip():
        posts = posts.filter(title__icontains=query)
    if name := request.GET.get("hashtag", "").strip():
        posts = posts.filter(hashtags__key=Hashtag.make_key(name))
    state = request.GET.get("state", "")
    if state == "draft":
        posts = posts.filter(status=Post.Status.DRAFT)
    elif state == "scheduled":
        posts = posts.scheduled()
    elif state == "published":
        posts = posts.visible()
    posts = posts.prefetch_related("hashtags").order_by("-updated_at", "-id")
    page = Paginator(posts, 25).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {"page_obj": page, "states": STATES, "state": state, "query": query}
    context |= {"hashtag": name, "author": author, "filters": filters.urlencode()}
    return render(request, "desk/post_list.html", context)


def _post_context(request: HttpRequest, post: Post) -> dict:
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
        "hashtag_names": Hashtag.objects.values_list("name", flat=True)[:2000],
        "newer_revision": newest if newer else None,
        "preview_link": link,
    }


def _own_posts(request: HttpRequest):
    assert request.user.is_authenticated  # the editor lets only desk users in
    return Post.objects.filter(author=request.user, trashed_at__isnull=True)


def _new_post(request: HttpRequest) -> Post:
    assert request.user.is_authenticated  # the editor lets only desk users in
    return Post(author=request.user)


# Everyone at the desk writes posts; contributors keep to drafts.
POST = EditorKind(
    "post",
    PostForm,
    may_write=roles.can_use_desk,
    refusal="Only the blog's writers may write posts.",
    lookup=editable_post,
    new=_new_post,
    own=_own_posts,
    may_change=may_change,
    may_publish=roles.can_publish,
    context=_post_context,
)


@require_POST
def render_preview(request: HttpRequest) -> HttpResponse:
    """The body as the blog would show it, for the editor's live preview."""
    if not roles.can_use_desk(request.user):
        return signed_out(request, reverse("desk:posts"), as_json=True)
    body_format = request.POST.get("body_format", Post.BodyFormat.MARKDOWN)
    html = render_body(request.POST.get("body", ""), body_format).html
    if wants_json(request):
        # The editor's script shows the accessibility notes beside the preview.
        markdown = body_format == Post.BodyFormat.MARKDOWN
        notes = accessibility.check(html, markdown=markdown)
        warnings = [asdict(warning) for warning in notes]
        return JsonResponse({"html": html, "warnings": warnings})
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
    # The page's address is the secret: no canonical link or og:url gives it away.
    context = {"post": post, "secret_address": True}
    response = render(request, "desk/shared_preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@desk_view
@require_POST
def post_trash(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk)
    if not may_change(request.user, post):
        return forbidden(request, "Only an author or admin may remove this post.")
    trash(post)
    messages.success(
        request, f"“{post.title}” is in the trash; restore it within 30 days."
    )
    return redirect("desk:posts")
