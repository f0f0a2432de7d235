"""The cheap checks that run before the classifier: the signed form token,
the honeypot, rate limits, repeated text, links and the block lists."""

import hashlib
import ipaddress
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone

from gazette import limits
from gazette.comments.spam.features import link_count, link_hosts

TOKEN_SALT = "gazette.comments.form"
TOKEN_MAX_AGE = 24 * 60 * 60  # older forms are suspicious, not refused
NONCE_KEEP = timedelta(seconds=2 * TOKEN_MAX_AGE)
RATE_WINDOW = timedelta(minutes=10)
MAX_LINKS = 3  # more links than this in one comment: hold it
IDENTICAL_MIN_LENGTH = 25  # shorter texts ("Thanks!") repeat innocently
IDENTICAL_DAYS = 30


class Refused(Exception):
    """A submission Gazette will not store; the message is shown beside the form."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FormToken:
    post_id: int
    issued_at: float
    nonce: str


def make_form_token(post_id: int, *, issued_at: float | None = None) -> str:
    """A signed token for a comment form: which post, when it was made, a nonce."""
    issued = int(time.time() if issued_at is None else issued_at)
    return signing.dumps([post_id, issued, secrets.token_urlsafe(12)], salt=TOKEN_SALT)


def read_form_token(value: str, post_id: int) -> FormToken:
    """The token sent with a form; Refused when it was forged or is for another post."""
    try:
        data = signing.loads(value or "", salt=TOKEN_SALT)
        token_post, issued, nonce = data
        token = FormToken(int(token_post), float(issued), str(nonce))
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise Refused(
            "This form could not be checked: it may have been altered or copied "
            "from elsewhere. Your text is kept below; please send it again."
        ) from error
    if token.post_id != post_id or token.issued_at > time.time() + 60:
        raise Refused(
            "This form does not belong to this post. Your text is kept below; "
            "please send it again."
        )
    return token


def timing_reasons(token: FormToken) -> list[str]:
    """Suspicions about how long the form stayed open before it was sent."""
    age = time.time() - token.issued_at
    if age < settings.COMMENTS_MIN_SECONDS:
        return [f"Sent {age:.0f} s after the form was opened"]
    if age > TOKEN_MAX_AGE:
        return ["Sent from a form opened more than a day earlier"]
    return []


def use_form_token(token: FormToken) -> None:
    """Mark the token as used; Refused when it already was (a replayed form).
    Atomic across workers: of many requests sending one token, one wins."""
    if not limits.use_once(f"comment-form:{token.nonce}", NONCE_KEEP):
        raise Refused(
            "This form was already sent once. If you meant to post another "
            "comment, check your text below and send it again."
        )


def check_rate(ip: str | None, post_id: int) -> None:
    """Count a comment against the per-address and per-post limits (fixed
    10-minute windows, counted atomically across workers by gazette.limits)."""
    counted = [(f"post:{post_id}", settings.COMMENTS_PER_POST)]
    if ip:
        counted.insert(0, (f"ip:{ip}", settings.COMMENTS_PER_IP))
    for name, limit in counted:
        if limits.count(f"comment-rate:{name}", RATE_WINDOW) > limit:
            raise Refused(
                "Too many comments have been sent from here or to this post in "
                "the last few minutes. Please wait a little and send it again.",
                status=429,
            )


def fingerprint(body: str) -> str:
    """A hash of the text with case and spacing evened out."""
    return hashlib.sha256(normalise(body).encode()).hexdigest()


def normalise(body: str) -> str:
    return " ".join(re.findall(r"\w+", body.casefold()))


def identical_reasons(post_id: int, body: str, email: str, ip: str | None) -> list[str]:
    """Spam reasons when the same text came before; Refused when the same person
    already posted it on this post (a double submission)."""
    from gazette.comments.models import Comment

    since = timezone.now() - timedelta(days=IDENTICAL_DAYS)
    earlier = list(
        Comment.objects.filter(fingerprint=fingerprint(body), created_at__gte=since)
        .exclude(status=Comment.Status.TRASH)
        .values_list("post_id", "author_email", "ip_address")[:20]
    )
    for other_post, other_email, other_ip in earlier:
        same_person = (email and other_email.lower() == email.lower()) or (
            ip and other_ip == ip
        )
        if other_post == post_id and same_person:
            raise Refused("You have already posted this comment here.")
    if earlier and len(normalise(body)) >= IDENTICAL_MIN_LENGTH:
        return [f"Same text as {len(earlier)} earlier comment(s)"]
    return []


def link_reasons(body: str) -> list[str]:
    count = link_count(body)
    return [f"{count} links in the text"] if count > MAX_LINKS else []


def honeypot_reasons(value: str) -> list[str]:
    return ["The hidden field that people never see was filled in"] if value else []


def block_reasons(
    post, *, name: str, email: str, url: str, body: str, ip: str | None
) -> list[str]:
    """Which of the blog's and the post author's block rules the comment breaks."""
    from gazette.comments.models import BlockRule

    rules = BlockRule.objects.filter(
        Q(owner__isnull=True) | Q(owner_id=post.author_id)
    ).only("kind", "value")
    text = " ".join((name, email, url, body)).casefold()
    hosts = link_hosts(body)
    if url:
        try:
            hosts.add((urlsplit(url).hostname or "").removeprefix("www."))
        except ValueError:
            pass
    if "@" in email:
        hosts.add(email.rpartition("@")[2].lower())
    reasons = []
    for rule in rules:
        value = rule.value.casefold()
        if rule.kind == BlockRule.Kind.WORD:
            hit = re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None
        elif rule.kind == BlockRule.Kind.EMAIL:
            hit = email.casefold() == value
        elif rule.kind == BlockRule.Kind.DOMAIN:
            hit = any(h == value or h.endswith("." + value) for h in hosts)
        else:
            hit = _in_network(ip, value)
        if hit:
            reasons.append(f"Blocked {rule.get_kind_display().lower()}: {rule.value}")
    return reasons


def _in_network(ip: str | None, network: str) -> bool:
    if not ip:
        return False
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False
