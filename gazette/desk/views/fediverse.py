"""The blog's fediverse account, for admins: who follows it, and which
instances it refuses (gazette.federation does the talking; this screen only
edits its rows)."""

import re
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

from gazette.desk.access import admin_view
from gazette.federation import documents
from gazette.federation.models import BlockedDomain, Follower

FOLLOWERS_PER_PAGE = 100
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
    key pair) if no server has asked for it yet."""
    actor = documents.load_actor()
    origin = actor.origin if actor else request.build_absolute_uri("/").rstrip("/")
    return {
        "handle": f"{documents.USERNAME}@{urlsplit(origin).netloc}",
        "actor_address": origin + reverse("federation:actor"),
        "actor_made": actor is not None,
    }


@admin_view
def fediverse(request: HttpRequest) -> HttpResponse:
    return _screen(request, BlockDomainForm())


def _screen(
    request: HttpRequest, form: BlockDomainForm, status: int = 200
) -> HttpResponse:
    followers = Follower.objects.order_by("-followed_at", "-pk")
    page = Paginator(followers, FOLLOWERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(follower, host_of(follower.actor_id)) for follower in page.object_list]
    context = _account(request) | {
        "page_obj": page,
        "rows": rows,
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
