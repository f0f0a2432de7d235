"""Who may open which desk screen. Every check runs on the server, through
gazette.site.roles; hiding a button in a page is only a courtesy.

Two-factor sign-in adds one rule in front of the roles: a person who has it on and
has only given their password in this session is sent for their code first.
`SecondStepMiddleware` applies it to every view in the desk's URL namespace (the
editor, autosave and the comment queue check roles themselves, without these
decorators), and gazette.desk.admin_site to the Django admin."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_otp import user_has_device

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


# Desk views open to a person who still owes their code: the ways in and out, and
# the shared preview, which needs no account at all.
OPEN_BEFORE_SECOND_STEP = frozenset(
    {"sign_in", "sign_out", "sign_in_code", "shared_preview"}
)


def second_step_pending(request: HttpRequest) -> bool:
    """True when the person has two-factor sign-in on but has not given a code in
    this session. Reads their devices (a query per kind) once per request."""
    pending = getattr(request, "_gazette_second_step_pending", None)
    if pending is None:
        user = request.user
        # OTPMiddleware gives signed-in users is_verified(); without it nobody is.
        is_verified = getattr(user, "is_verified", lambda: False)
        pending = bool(
            user.is_authenticated and not is_verified() and user_has_device(user)
        )
        request._gazette_second_step_pending = pending  # type: ignore[attr-defined]
    return pending


def ask_for_code(request: HttpRequest, next_url: str | None = None) -> HttpResponse:
    """To the code page, coming back to `next_url` (this page when it can be
    opened again; the desk's first screen after a form was sent)."""
    if next_url is None:
        # A form's or autosave's address cannot be opened again with GET: after
        # the code, those go to the desk's first screen instead.
        reopenable = request.method in ("GET", "HEAD") and not wants_json(request)
        next_url = request.get_full_path() if reopenable else reverse("desk:posts")
    code_url = reverse("desk:sign_in_code") + "?" + urlencode({"next": next_url})
    if wants_json(request):
        # signed_out and sign_in_url are what the editor's script already
        # understands: it keeps the text and links to the page that lets one in.
        error = "Enter the code from your authenticator app to finish signing in."
        return JsonResponse(
            {
                "error": error,
                "signed_out": True,
                "second_step": True,
                "sign_in_url": code_url,
            },
            status=403,
        )
    return redirect(code_url)


class SecondStepMiddleware:
    """Sends a person who owes their sign-in code from any desk view to the code
    page. Goes after django_otp's OTPMiddleware, which tells whether the session
    was verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args, view_kwargs
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or "desk" not in match.app_names:
            return None
        if match.url_name in OPEN_BEFORE_SECOND_STEP:
            return None
        if second_step_pending(request):
            return ask_for_code(request)
        return None
