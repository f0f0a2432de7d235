"""Personal data about one email address: the single place that knows where
Gazette keeps it, so that finding, exporting and erasing it miss nothing.

An address leaves traces in:

* the comments written with it: the name, the address, the website, the text,
  and the IP address and browser they came from (those two are cleared anyway
  after GAZETTE_IP_RETENTION_DAYS, by `tasks.erase_old_ip_addresses`), and a
  remote commenter's picture, whose copy goes with the last comment showing
  it (`avatars`);
* its notification opt-out, if it asked for no more mail;
* block rules that name it, the blog's or an author's;
* desk accounts that use it, among them the old blog's authors an import made
  into accounts (`importers.ImportedAuthor` keeps the old blog's id for them).

The spam classifier is not among them: of an address it counts only the domain,
added up with everyone else's.

The desk's personal-data screen and `gazette personal_data` use `find`,
`export` and `erase`; a commenter's own signed link uses `erase_comments`.
Comments leave through `moderation.erase`, the write path that keeps threads,
counts and cached pages right.
"""

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gazette.comments import moderation
from gazette.comments.models import BlockRule, Comment, NotificationOptOut


def normalise(email: str) -> str:
    return email.strip().lower()


def comments_by(email: str) -> QuerySet[Comment]:
    """Every comment written with `email`, whatever its state. None for an empty
    or malformed address (an empty one would otherwise match every comment
    left without one)."""
    email = normalise(email)
    if "@" not in email:
        return Comment.objects.none()
    return Comment.objects.filter(author_email__iexact=email)


@dataclass
class Holdings:
    """Everything found about one address (`find`)."""

    email: str
    comments: list[Comment] = field(default_factory=list)
    opt_out: NotificationOptOut | None = None
    block_rules: list[BlockRule] = field(default_factory=list)
    accounts: list[Any] = field(default_factory=list)  # the user model's rows
    imported_as: dict[int, list[str]] = field(default_factory=dict)  # by user pk

    @property
    def is_empty(self) -> bool:
        return not (self.comments or self.opt_out or self.block_rules or self.accounts)

    @property
    def ip_address_count(self) -> int:
        return sum(1 for c in self.comments if c.ip_address or c.user_agent)

    @property
    def accounts_cleared(self) -> list[Any]:
        """Accounts that cannot sign in (an import made them, or an admin took
        their password away): erasing takes the address off them."""
        return [a for a in self.accounts if not a.has_usable_password()]

    @property
    def accounts_kept(self) -> list[Any]:
        """Accounts someone signs in with: erasing leaves them to the admin
        (People, or the Django admin), as an account owns posts and its address
        is how its owner resets a password."""
        return [a for a in self.accounts if a.has_usable_password()]


def summary(found: Holdings) -> list[str]:
    """What was found, one line a kind, for the desk's confirm step and the
    command."""
    lines = [
        f"Comments written with it: {len(found.comments)} "
        f"({found.ip_address_count} still with an IP address or browser)",
        f"Asked for no more email: {'yes' if found.opt_out else 'no'}",
        f"Block rules naming it: {len(found.block_rules)}",
    ]
    for account in found.accounts:
        refs = found.imported_as.get(account.pk, [])
        imported = f", imported as {', '.join(refs)}" if refs else ""
        fate = (
            "kept: someone signs in with it"
            if account.has_usable_password()
            else "its address is removed"
        )
        lines.append(f"Account {account.get_username()}{imported} ({fate})")
    return lines


def find(email: str) -> Holdings:
    """Everything Gazette holds about `email` (five queries)."""
    email = normalise(email)
    found = Holdings(email)
    if "@" not in email:
        return found
    found.comments = list(
        comments_by(email).select_related("post").order_by("created_at", "pk")
    )
    found.opt_out = NotificationOptOut.objects.filter(email=email).first()
    found.block_rules = list(
        BlockRule.objects.filter(kind=BlockRule.Kind.EMAIL, value__iexact=email)
        .select_related("owner")
        .order_by("pk")
    )
    found.accounts = list(
        get_user_model().objects.filter(email__iexact=email).order_by("pk")
    )
    if found.accounts:
        # Read through the app registry: the importers sit above comments, and
        # this module is the one place that must still know of them.
        imported_author = apps.get_model("importers", "ImportedAuthor")
        rows = imported_author.objects.filter(user__in=found.accounts).order_by("ref")
        for user_id, ref in rows.values_list("user_id", "ref"):
            found.imported_as.setdefault(user_id, []).append(ref)
    return found


def export(found: Holdings, *, site_url: str = "") -> dict[str, Any]:
    """What was `found`, ready for json.dumps: the person's copy of their data."""
    return {
        "email": found.email,
        "exported_at": timezone.now().isoformat(),
        "comments": [_comment(c, site_url) for c in found.comments],
        "notification_opt_out": (
            {"since": found.opt_out.created_at.isoformat()} if found.opt_out else None
        ),
        "block_rules": [
            {
                "kind": rule.kind,
                "value": rule.value,
                "kept_by": rule.owner.get_username() if rule.owner else "the blog",
                "created_at": rule.created_at.isoformat(),
            }
            for rule in found.block_rules
        ],
        "accounts": [
            {
                "username": account.get_username(),
                "name": account.get_full_name(),
                "email": account.email,
                "date_joined": account.date_joined.isoformat(),
                "last_login": _iso(account.last_login),
                "imported_as": found.imported_as.get(account.pk, []),
            }
            for account in found.accounts
        ],
    }


def export_comments(email: str, *, site_url: str = "") -> dict[str, Any]:
    """A commenter's own copy, given through their signed link: their comments
    and their opt-out, not the blog's block rules or desk accounts."""
    email = normalise(email)
    found = Holdings(email)
    found.comments = list(
        comments_by(email).select_related("post").order_by("created_at", "pk")
    )
    found.opt_out = NotificationOptOut.objects.filter(email=email).first()
    data = export(found, site_url=site_url)
    del data["block_rules"], data["accounts"]
    return data


@dataclass(frozen=True)
class Erased:
    comments: int
    opt_outs: int
    block_rules: int
    accounts_cleared: list[str]
    accounts_kept: list[str]

    def lines(self) -> list[str]:
        lines = [
            f"Comments erased: {self.comments}",
            f"Notification opt-outs removed: {self.opt_outs}",
            f"Block rules removed: {self.block_rules}",
            f"Accounts whose address was removed: {len(self.accounts_cleared)}",
        ]
        if self.accounts_kept:
            kept = ", ".join(self.accounts_kept)
            lines.append(
                f"Accounts kept with this address (change them in People): {kept}"
            )
        return lines


@transaction.atomic
def erase(email: str) -> Erased:
    """Erase everything Gazette holds about `email`, in one transaction.

    Comments leave through `moderation.erase`: replies others wrote stay, moved
    up to the erased comment's parent. The opt-out goes too, unless an account
    that keeps the address still needs it: with the comments gone, no mail
    about them can reach the address. Accounts people sign in with are kept
    (see `Holdings.accounts_kept`).
    """
    found = find(email)
    comments = moderation.erase(found.comments)
    opt_outs = 0
    if found.opt_out is not None and not found.accounts_kept:
        found.opt_out.delete()
        opt_outs = 1
    block_rules, _ = BlockRule.objects.filter(
        pk__in=[rule.pk for rule in found.block_rules]
    ).delete()
    for account in found.accounts_cleared:
        account.email = ""
        account.save(update_fields=["email"])
    return Erased(
        comments=comments,
        opt_outs=opt_outs,
        block_rules=block_rules,
        accounts_cleared=[a.get_username() for a in found.accounts_cleared],
        accounts_kept=[a.get_username() for a in found.accounts_kept],
    )


def erase_comments(email: str) -> int:
    """A commenter's own request, through their signed link: every comment
    written with `email` goes (replies others wrote stay). Their opt-out stays,
    so that they get no more mail. Returns how many were erased."""
    return moderation.erase(list(comments_by(email)))


def _comment(comment: Comment, site_url: str) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post": comment.post.title,
        "url": site_url + comment.get_absolute_url(),
        "in_reply_to": comment.parent_id,
        "created_at": comment.created_at.isoformat(),
        "status": comment.status,
        "name": comment.author_name,
        "email": comment.author_email,
        "website": comment.author_url,
        "picture": comment.avatar_url,
        "text": comment.body,
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "wants_reply_notifications": comment.wants_reply_notifications,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None
