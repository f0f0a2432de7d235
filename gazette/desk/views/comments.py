"""The desk's comment screens: the moderation queue and the block lists.

Authors moderate the comments on their own posts, admins all of them; every
change goes through `comments.moderation.moderate`, which checks that again per
comment.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gazette.comments.forms import BlockRuleForm
from gazette.comments.models import BlockRule, Comment
from gazette.comments.moderation import ACTIONS, moderate
from gazette.site import roles

TABS = {
    "held": Comment.Status.HELD,
    "approved": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
}
# The buttons each tab offers, in order.
TAB_ACTIONS = {
    "held": ["approve", "spam", "trash"],
    "approved": ["spam", "trash"],
    "spam": ["not_spam", "approve", "delete"],
    "trash": ["approve", "spam", "delete"],
}
ACTION_LABELS = {
    "approve": "Approve",
    "spam": "Mark as spam",
    "not_spam": "Not spam",
    "trash": "Move to trash",
    "delete": "Delete for good",
}
DONE = {
    "approve": "approved",
    "spam": "marked as spam",
    "not_spam": "moved back to the queue",
    "trash": "moved to the trash",
    "delete": "deleted",
}


def _moderator(request: HttpRequest):
    """None when the person may moderate; otherwise the response to give."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if roles.role_of(request.user) not in ("admin", "author"):
        raise PermissionDenied("Only authors and admins moderate comments.")
    return None


def queue(request: HttpRequest) -> HttpResponse:
    if response := _moderator(request):
        return response
    tab = request.GET.get("status", "held")
    if tab not in TABS:
        raise Http404("No such tab.")
    # Where the comments came in: the form, the fediverse, webmentions...
    source = request.GET.get("source", "")
    if source and source not in Comment.Source.values:
        raise Http404("No such source.")
    here = f"?status={tab}" + (f"&source={source}" if source else "")
    if request.method == "POST":
        return _act(request, here)
    mine = Comment.objects.moderated_by(request.user)
    counts = mine.aggregate(
        **{name: Count("pk", filter=Q(status=status)) for name, status in TABS.items()}
    )
    listed = mine.filter(status=TABS[tab])
    if source:
        listed = listed.filter(source=source)
    listed = listed.select_related("post", "parent").order_by("-created_at", "-id")
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    context = {
        "tab": tab,
        "here": here,
        "source": source,
        "sources": [("", "Anywhere"), *Comment.Source.choices],
        "tabs": [(name, counts[name]) for name in TABS],
        "page_obj": page,
        "actions": [(a, ACTION_LABELS[a]) for a in TAB_ACTIONS[tab]],
    }
    return render(request, "desk/comments.html", context)


def _act(request: HttpRequest, here: str) -> HttpResponse:
    back = reverse("desk:comments") + here
    if only := request.POST.get("only", ""):
        # A button on one comment: "approve:42".
        action, _, one = only.partition(":")
        given = [one]
    else:
        action, given = request.POST.get("action", ""), request.POST.getlist("ids")
    ids = [int(i) for i in given if i.isascii() and i.isdigit() and len(i) < 19]
    if action not in ACTIONS:
        messages.error(request, "Choose what to do with the comments.")
        return redirect(back)
    if not ids:
        messages.error(request, "Tick at least one comment first.")
        return redirect(back)
    chosen = Comment.objects.filter(pk__in=ids).select_related("post")
    count = moderate(
        chosen,
        action,
        by=request.user,
        site_url=request.build_absolute_uri("/").rstrip("/"),
    )
    noun = "comment" if count == 1 else "comments"
    messages.success(request, f"{count} {noun} {DONE[action]}.")
    return redirect(back)


def _own_rules(user):
    """The block rules `user` may change: the blog's for admins, their own for
    authors."""
    if roles.is_admin(user):
        return BlockRule.objects.filter(owner__isnull=True)
    return BlockRule.objects.filter(owner=user)


def block_rules(request: HttpRequest) -> HttpResponse:
    if response := _moderator(request):
        return response
    user = request.user
    assert user.is_authenticated  # _moderator let only desk users through
    form = BlockRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        owner = None if roles.is_admin(user) else user
        _, created = BlockRule.objects.get_or_create(
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data["value"],
            owner=owner,
        )
        if created:
            messages.success(request, f"Blocked {form.cleaned_data['value']}.")
        else:
            messages.info(request, f"{form.cleaned_data['value']} was already blocked.")
        return redirect("desk:block_rules")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "rules": _own_rules(user),
        "blog_rules": None
        if roles.is_admin(user)
        else BlockRule.objects.filter(owner__isnull=True),
        "is_admin": roles.is_admin(user),
    }
    return render(request, "desk/block_rules.html", context, status=status)


@require_POST
def delete_block_rule(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _moderator(request):
        return response
    rule = get_object_or_404(_own_rules(request.user), pk=pk)
    rule.delete()
    messages.success(request, f"{rule.value} is no longer blocked.")
    return redirect("desk:block_rules")
