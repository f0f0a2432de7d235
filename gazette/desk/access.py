"""Who may open which desk screen. Every check runs on the server, through
gazette.site.roles; hiding a button in a page is only a courtesy."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from gazette.posts.models import Page, Post
from gazette.site import roles


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": reason}, status=403)
    return render(request, "desk/forbidden.html", {"reason": reason}, status=403)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def signed_out(
    request: HttpRequest, next_url: str | None = None, *, as_json: bool = False
) -> HttpResponse:
    """To the sign-in page, coming back to `next_url` (this page by default)."""
    next_url = next_url or request.get_full_path()
    if as_json or wants_json(request):
        sign_in = reverse("desk:sign_in") + "?" + urlencode({"next": next_url})
        error = "You are signed out."
        return JsonResponse(
            {"error": error, "signed_out": True, "sign_in_url": sign_in}, status=403
        )
    return redirect_to_login(next_url)


def desk_view(view: Callable) -> Callable:
    """Authors, contributors and admins only; anyone else goes to the sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not roles.can_use_desk(request.user):
            return signed_out(request)
        return view(request, *args, **kwargs)

    return wrapper


def admin_view(view: Callable) -> Callable:
    """Admins only: other desk users are refused, the rest go to the sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not roles.can_use_desk(request.user):
            return signed_out(request)
        if not roles.is_admin(request.user):
            return forbidden(request, "Only an admin may open this screen.")
        return view(request, *args, **kwargs)

    return wrapper


def editable_post(request: HttpRequest, pk: int, *, trashed: bool = False) -> Post:
    """The post if this person may edit it; otherwise 404, so that others' posts
    are not even confirmed to exist."""
    post = get_object_or_404(Post, pk=pk, trashed_at__isnull=not trashed)
    if not roles.can_edit_post(request.user, post):
        raise Http404("No such post.")
    return post


def may_change(user, post: Post) -> bool:
    """Changing what readers see is publishing: contributors keep to drafts."""
    return roles.can_publish(user) or post.is_draft


def editable_page(request: HttpRequest, pk: int, *, trashed: bool = False) -> Page:
    """Pages belong to the whole blog, so only admins write them."""
    return get_object_or_404(Page, pk=pk, trashed_at__isnull=not trashed)
