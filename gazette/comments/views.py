"""The reader's side of comments: the form and threads on a post page, posting
through the form, the unsubscribe link from notification mail, and a
commenter's own way to download or erase their comments (a signed link, mailed
on request or with each reply notification).

Posting runs the form's own checks (the signed one-use token, the honeypot,
the time the form stayed open) and then hands the comment to
`intake.receive_comment`, as every other source does. It also gives the
browser a signed commenter id (`gazette_commenter`), so that a guest whose
comment was approved is not held again under "first comments wait", email or
not. The cookie is read only when a comment is posted: post pages stay the
same for everyone and the shared page cache keeps them."""

import json
import secrets
from datetime import timedelta

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from gazette import limits
from gazette.comments import notify, privacy, spam, tasks
from gazette.comments.forms import CommentForm, ErasureRequestForm
from gazette.comments.intake import CommentDraft, Source, receive_comment
from gazette.comments.models import Comment, NotificationOptOut
from gazette.comments.section import OWN_KEEP, OWN_SESSION_KEY, own_comment_ids
from gazette.lib.http import client_ip
from gazette.limits import use_once
from gazette.posts.models import Post
from gazette.site import roles
from gazette.site.middleware import site_of

COMMENTER_COOKIE = "gazette_commenter"
COMMENTER_SALT = "gazette.comments.commenter"
COMMENTER_KEEP = timedelta(days=365)


def commenter_id(request: HttpRequest) -> str:
    """The commenter id from the browser's signed cookie, or a new random one
    when it has none (or a forged or expired one)."""
    value = request.get_signed_cookie(
        COMMENTER_COOKIE, default="", salt=COMMENTER_SALT, max_age=COMMENTER_KEEP
    )
    # Signed by this blog, so one of its own ids; the length check only keeps
    # the field's size whatever an old key once signed.
    if value and len(value) <= 32:
        return value
    return secrets.token_urlsafe(16)


def remember_commenter(request: HttpRequest, response: HttpResponse, id: str) -> None:
    """Set (or renew for a year) the browser's signed commenter id. It only
    names the browser: the guest is known once a comment carrying it is
    approved, and never through the cookie alone."""
    response.set_signed_cookie(
        COMMENTER_COOKIE,
        id,
        salt=COMMENTER_SALT,
        max_age=int(COMMENTER_KEEP.total_seconds()),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


# Readers without an account send the signed, one-use form token, which only a page
# of this blog carries; that is their protection against forged posts, and keeping
# the CSRF cookie off post pages lets the shared page cache keep them. Someone
# signed in comments with their account's rights, so the CSRF check applies to them.
@csrf_exempt
@require_POST
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    if request.user.is_authenticated:
        return csrf_protect(_post_comment)(request, post_id)
    return _post_comment(request, post_id)


# Shown when a form came without its token (a browser without script: readers'
# pages carry none). The form comes back with one.
CONFIRM = (
    "Your comment is not posted yet: please check it and press Publish comment again."
)


# Shown when the rate limits cannot be counted (Redis is down).
PAUSED = (
    "Comments cannot be taken just now: the check that keeps out floods of them "
    "is unreachable. Your comment is still here: please press Publish comment "
    "again in a minute."
)


@require_GET
@never_cache
def form_token(request: HttpRequest, post_id: int) -> HttpResponse:
    """A fresh one-use token for the post's comment form, fetched by the form's
    script when the reader starts to write (never cached: each is one reader's)."""
    post = get_object_or_404(Post.objects.visible(), pk=post_id)
    return JsonResponse({"token": spam.make_form_token(post.pk)})


def _post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    # The post alone: the listing's comment count and hashtags are for the page,
    # which only a form sent again shows (_form_again reads them).
    post = get_object_or_404(Post.objects.visible(), pk=post_id)
    form = CommentForm(request.POST, user=request.user)
    if not form.is_valid():
        return _form_again(request, post, form)
    data = form.cleaned_data
    if not data["token"]:
        return _form_again(request, post, form, CONFIRM, status=200)
    try:
        # The form's own checks; the intake knows nothing of forms.
        token = spam.read_form_token(data["token"], post.pk)
        commenter = commenter_id(request)
        draft = CommentDraft(
            name=data["author_name"],
            email=data["author_email"],
            url=data["author_url"],
            body=data["body"],
            wants_replies=data["wants_reply_notifications"],
            parent_id=data["parent"],
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            user=request.user,
            commenter_id=commenter,
            spam_signs=spam.honeypot_reasons(data["homepage_title"]),
            hold_signs=spam.timing_reasons(token),
            claim=lambda: spam.use_form_token(token),
        )
        source = Source.DESK if roles.can_use_desk(request.user) else Source.FORM
        comment = receive_comment(
            post,
            draft,
            source,
            site=site_of(request),
            own_ids=own_comment_ids(request),
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except spam.Refused as refusal:
        return _form_again(request, post, form, refusal.message, refusal.status)
    except limits.Unavailable:
        # Never taken unchecked: without its limits the form is open to floods.
        return _form_again(request, post, form, PAUSED, status=503)
    if comment.status != Comment.Status.APPROVED:
        own = [comment.pk, *own_comment_ids(request)]
        request.session[OWN_SESSION_KEY] = own[:OWN_KEEP]
    response = redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")
    remember_commenter(request, response, commenter)
    return response


def _form_again(
    request: HttpRequest, post: Post, form: CommentForm, error: str = "", status=400
) -> HttpResponse:
    """The post page again with the reader's text and the reasons, and a fresh
    token when the old one cannot be used again."""
    form.is_valid()  # the field errors, kept while the token below changes
    try:
        spam.read_form_token(form.data.get("token", ""), post.pk)
        keep = not error
    except spam.Refused:
        keep = False
    if not keep:
        assert isinstance(form.data, QueryDict)  # the form is bound to request.POST
        form.data = form.data.copy()
        form.data["token"] = spam.make_form_token(post.pk)
    # The page's {% comment_section %} shows this form and error, and the page
    # what a listing shows of the post.
    post = Post.objects.for_listing().get(pk=post.pk)
    context = {"post": post, "comment_form": form, "comment_error": error}
    return render(request, "posts/post_detail.html", context, status=status)


@csrf_exempt  # mail clients send the one-click POST (RFC 8058) without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    email = notify.read_unsubscribe_token(token)
    if email is None:
        return _unsubscribe_page(request, {"bad": True}, status=400)
    NotificationOptOut.objects.get_or_create(email=email)
    return _unsubscribe_page(request, {"email": email, "token": token})


@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    email = notify.read_unsubscribe_token(token)
    if email is None:
        return _unsubscribe_page(request, {"bad": True}, status=400)
    NotificationOptOut.objects.filter(email=email).delete()
    return _unsubscribe_page(request, {"email": email, "resubscribed": True})


def _unsubscribe_page(request: HttpRequest, context: dict, status: int = 200):
    # The address holds the reader's token: no canonical link or og:url repeats
    # it, and search engines must not keep it.
    context |= {"secret_address": True, "noindex": True}
    return render(request, "comments/unsubscribe.html", context, status=status)


# One erase link per address this often at most, so that the request page
# cannot be used to fill someone's mailbox.
ERASE_LINK_EVERY = timedelta(minutes=15)


@never_cache
@require_http_methods(["GET", "POST"])
def erase_request(request: HttpRequest) -> HttpResponse:
    """Ask for the erase link by email. The answer is the same whether or not
    the address wrote any comment, and whether or not a link went out."""
    form = ErasureRequestForm(request.POST or None)
    if request.method == "GET":
        return render(request, "comments/erase_request.html", {"form": form})
    if not form.is_valid():
        return render(
            request, "comments/erase_request.html", {"form": form}, status=400
        )
    email = privacy.normalise(form.cleaned_data["email"])
    if _may_send_erase_link(email):
        site_url = request.build_absolute_uri("/").rstrip("/")
        tasks.send_erase_link.enqueue(email, site_url)
    context = {"asked_for": email, "link_days": notify.ERASE_LINK_AGE.days}
    context["every_minutes"] = ERASE_LINK_EVERY // timedelta(minutes=1)
    return render(request, "comments/erase_request.html", context)


def _may_send_erase_link(email: str) -> bool:
    # Named by a keyed hash: the limits' table never holds the address, nor a
    # plain hash that a list of guessed addresses would match.
    digest = salted_hmac(
        "gazette.comments.erase-link", email, algorithm="sha256"
    ).hexdigest()
    return use_once(f"erase-link:{digest}", ERASE_LINK_EVERY)


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link's page: how many comments the address wrote, a copy to
    download, and (POST, after the person confirms) erasing them all."""
    try:
        email = notify.read_erase_token(token)
    except notify.LinkRefused as refused:
        return _link_refused(request, refused)
    if request.method == "POST":
        erased = privacy.erase_comments(email)
        return _erase_page(request, {"email": email, "erased": erased})
    count = privacy.comments_by(email).count()
    return _erase_page(request, {"email": email, "count": count, "token": token})


@never_cache
@require_GET
def erase_copy(request: HttpRequest, token: str) -> HttpResponse:
    """The commenter's comments as a JSON file, from the same signed link."""
    try:
        email = notify.read_erase_token(token)
    except notify.LinkRefused as refused:
        return _link_refused(request, refused)
    site_url = request.build_absolute_uri("/").rstrip("/")
    data = privacy.export_comments(email, site_url=site_url)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
    return response


def _link_refused(request: HttpRequest, refused: notify.LinkRefused) -> HttpResponse:
    return _erase_page(request, {"refused": True, "expired": refused.expired}, 400)


def _erase_page(request: HttpRequest, context: dict, status: int = 200):
    # The link is a key to someone's comments: the page's canonical link and
    # og:url must not repeat it, and search engines must not keep it.
    context |= {"secret_address": True, "noindex": True}
    context["link_days"] = notify.ERASE_LINK_AGE.days
    return render(request, "comments/erase.html", context, status=status)
