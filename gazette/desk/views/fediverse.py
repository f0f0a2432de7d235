"""The blog's fediverse account, for admins: who follows it and who asks to,
which accounts and instances it refuses, and the likes, reposts and mentions
other sites sent (gazette.federation does the talking; this screen edits its
rows and leaves answering a follow request to the worker)."""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gazette.comments.models import Reaction
from gazette.desk.access import admin_view
from gazette.federation import documents, follows
from gazette.federation.models import (
    Actor,
    BlockedActor,
    BlockedDomain,
    Follower,
    FollowRequest,
)
from gazette.lib.links import web_address
from gazette.posts.models import Post
from gazette.site.models import SiteSettings
from gazette.webmentions.models import Received

FOLLOWERS_PER_PAGE = 100
REQUESTS_SHOWN = 100
REACTIONS_SHOWN = 50
# One label: letters, digits and inner hyphens, at most 63 characters.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")


def host_of(address: str) -> str:
    """The instance an actor lives on, as inbox.is_blocked reads it."""
    return (urlsplit(address).hostname or "").lower().rstrip(".")


def is_on(host: str, domain: str) -> bool:
    """Whether `host` is `domain` or one of its subdomains: the reach of a block."""
    return host == domain or host.endswith("." + domain)


class BlockDomainForm(forms.Form):
    domain = forms.CharField(
        label="Instance to block",
        max_length=253,
        help_text="A host name such as example.social; its subdomains are blocked too.",
    )

    def clean_domain(self) -> str:
        typed = self.cleaned_data["domain"].strip().lower().rstrip(".")
        if "://" in typed or "/" in typed or "@" in typed:
            raise forms.ValidationError(
                "Type only the host name, such as example.social: "
                "no https://, no path, no account name."
            )
        try:
            # An internationalised name is stored as the ASCII form servers send.
            domain = typed.encode("idna").decode("ascii")
        except UnicodeError:
            domain = typed
        if not HOST_NAME.match(domain) or len(domain) > 253:
            raise forms.ValidationError(
                "That is not a host name: use letters, digits, hyphens and dots, "
                "such as example.social."
            )
        return domain


def _account(request: HttpRequest) -> dict:
    """The blog's handle and actor address, without making the actor (and its
    key pair) if no server has asked for it yet; the authors' handles made so
    far, when they have accounts of their own."""
    actor = documents.load_actor()
    origin = actor.origin if actor else request.build_absolute_uri("/").rstrip("/")
    host = urlsplit(origin).netloc
    authors = Actor.objects.filter(user__isnull=False).select_related("user")
    return {
        "handle": f"{documents.USERNAME}@{host}",
        "actor_address": origin + reverse("federation:actor"),
        "actor_made": actor is not None,
        "author_handles": [
            f"{author.user.get_username()}@{host}"
            for author in authors.order_by("user__username")
            if author.user is not None
        ]
        if SiteSettings.load().author_accounts
        else [],
    }


@dataclass
class Mention:
    """One like, repost or mention as the screen lists it."""

    kind: str
    name: str
    author_url: str  # "" when it has no http(s) address to link to
    source_url: str
    via: str
    post: Post
    at: datetime


def _mentions() -> tuple[list[Mention], int]:
    """The latest likes, reposts and mentions, newest first, and how many
    there are in all. A webmention's like is both a Received row and a
    Reaction: it is listed once, from Received, which knows its source page."""
    received = (
        Received.objects.filter(status=Received.Status.VERIFIED)
        .exclude(kind=Received.Kind.REPLY)
        .select_related("post")
    )
    reactions = Reaction.objects.filter(source="federation").select_related("post")
    rows = [
        Mention(
            kind=row.get_kind_display(),
            name=row.author_name,
            author_url=web_address(row.author_url),
            source_url=web_address(row.source),
            via="Webmention",
            post=row.post,
            at=row.received_at,
        )
        for row in received.order_by("-received_at", "-pk")[:REACTIONS_SHOWN]
    ] + [
        Mention(
            kind=row.get_kind_display(),
            name=row.author_name,
            author_url=web_address(row.author_url),
            # The fediverse sends no page of its own: its source is the account.
            source_url=web_address(row.author_url),
            via="Fediverse",
            post=row.post,
            at=row.created_at,
        )
        for row in reactions.order_by("-created_at", "-pk")[:REACTIONS_SHOWN]
    ]
    rows.sort(key=lambda mention: mention.at, reverse=True)
    return rows[:REACTIONS_SHOWN], received.count() + reactions.count()


@admin_view
def fediverse(request: HttpRequest) -> HttpResponse:
    return _screen(request, BlockDomainForm())


def _screen(
    request: HttpRequest, form: BlockDomainForm, status: int = 200
) -> HttpResponse:
    followers = Follower.objects.order_by("-followed_at", "-pk").prefetch_related(
        "authors__user"
    )
    page = Paginator(followers, FOLLOWERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(follower, host_of(follower.actor_id)) for follower in page.object_list]
    waiting = FollowRequest.objects.select_related("followed__user")
    mentions, mention_count = _mentions()
    context = _account(request) | {
        "approve_followers": SiteSettings.load().approve_followers,
        "follow_requests": waiting.order_by("received_at", "pk")[:REQUESTS_SHOWN],
        "follow_request_count": waiting.count(),
        "page_obj": page,
        "rows": rows,
        "blocked_accounts": BlockedActor.objects.order_by("-blocked_at", "-pk"),
        "mentions": mentions,
        "mention_count": mention_count,
        "blocked": BlockedDomain.objects.order_by("domain"),
        "configured": sorted(
            d.lower() for d in getattr(settings, "GAZETTE_FEDERATION_BLOCKED", ())
        ),
        "form": form,
    }
    return render(request, "desk/fediverse.html", context, status=status)


@admin_view
@require_POST
def remove_follower(request: HttpRequest, pk: int) -> HttpResponse:
    follower = get_object_or_404(Follower, pk=pk)
    follower.delete()
    messages.success(request, f"{follower.actor_id} no longer follows the blog.")
    return redirect("desk:fediverse")


@admin_view
@require_POST
def block_follower(request: HttpRequest, pk: int) -> HttpResponse:
    follower = get_object_or_404(Follower, pk=pk)
    follows.block(follower.actor_id)
    messages.success(
        request,
        f"Blocked {follower.actor_id}: it no longer follows the blog, and the "
        "blog refuses whatever it sends.",
    )
    return redirect("desk:fediverse")


@admin_view
@require_POST
def unblock_account(request: HttpRequest, pk: int) -> HttpResponse:
    blocked = get_object_or_404(BlockedActor, pk=pk)
    blocked.delete()
    messages.success(
        request, f"{blocked.actor_id} is no longer blocked; it may follow again."
    )
    return redirect("desk:fediverse")


@admin_view
@require_POST
def accept_request(request: HttpRequest, pk: int) -> HttpResponse:
    waiting = get_object_or_404(FollowRequest, pk=pk)
    with transaction.atomic():
        follows.accept(waiting)
    messages.success(
        request,
        f"Accepted {waiting.actor_id}: it is told so, and gets posts from now on.",
    )
    return redirect("desk:fediverse")


@admin_view
@require_POST
def decline_request(request: HttpRequest, pk: int) -> HttpResponse:
    waiting = get_object_or_404(FollowRequest, pk=pk)
    with transaction.atomic():
        follows.decline(waiting)
    messages.success(request, f"Declined {waiting.actor_id}; it is told so.")
    return redirect("desk:fediverse")


@admin_view
@require_POST
def block_domain(request: HttpRequest) -> HttpResponse:
    form = BlockDomainForm(request.POST)
    if not form.is_valid():
        return _screen(request, form, status=400)
    domain = form.cleaned_data["domain"]
    with transaction.atomic():
        _, created = BlockedDomain.objects.get_or_create(domain=domain)
        # A blocked instance hears nothing more from the blog either: its
        # followers (and its subdomains') go, by the inbox's rule.
        candidates = Follower.objects.filter(actor_id__icontains=domain)
        gone = [
            pk
            for pk, address in candidates.values_list("pk", "actor_id")
            if is_on(host_of(address), domain)
        ]
        Follower.objects.filter(pk__in=gone).delete()
    noun = "follower" if len(gone) == 1 else "followers"
    if created:
        messages.success(request, f"Blocked {domain}; {len(gone)} {noun} removed.")
    else:
        messages.info(
            request, f"{domain} was already blocked; {len(gone)} {noun} removed."
        )
    return redirect("desk:fediverse")


@admin_view
@require_POST
def unblock_domain(request: HttpRequest, pk: int) -> HttpResponse:
    blocked = get_object_or_404(BlockedDomain, pk=pk)
    blocked.delete()
    messages.success(
        request,
        f"{blocked.domain} is no longer blocked; its people may follow the blog again.",
    )
    return redirect("desk:fediverse")
