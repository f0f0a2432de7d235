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
# Beyond COMMENTS_PER_POST a post's new comments are held; beyond this many
# times that, refused.
POST_REFUSE_FACTOR = 10
BUSY_POST_REASON = "Held: many comments on this post at once"
MAX_LINKS = 3  # more links than this in one comment: hold it...
# ...unless the classifier scores it below this: a blog whose readers share
# links has taught it that such comments are ordinary.
ORDINARY_SCORE = 0.2
CERTAIN_LINKS = 50  # this many: nobody writes that to be read
IDENTICAL_MIN_LENGTH = 25  # shorter texts ("Thanks!") repeat innocently
IDENTICAL_WITHIN = timedelta(days=30)
# The same text from this many addresses, or on this many posts, within a day
# (and never approved) is a campaign, not readers agreeing with each other.
CAMPAIGN_SPREAD = 3
CAMPAIGN_WINDOW = timedelta(days=1)


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


def check_rate(ip: str | None, post_id: int) -> list[str]:
    """Count a comment against the per-address and per-post limits (fixed
    10-minute windows, counted atomically across workers by gazette.limits).

    Limits are there to stop floods, not conversations. One address sending
    more than COMMENTS_PER_IP is asked to wait (Refused, with how long). A post
    receiving more than COMMENTS_PER_POST is busy, which is how a post going
    viral looks as much as a flood: its new comments are held, and the reason
    returned; only far beyond (POST_REFUSE_FACTOR times) are they refused.
    """
    if ip and limits.count(f"comment-rate:ip:{ip}", RATE_WINDOW) > (
        settings.COMMENTS_PER_IP
    ):
        minutes = _minutes_left(RATE_WINDOW)
        raise Refused(
            "Too many comments have been sent from your address in the last few "
            f"minutes. Your text is kept below: please wait {minutes} "
            f"minute{'s' if minutes != 1 else ''} and send it again.",
            status=429,
        )
    on_post = limits.count(f"comment-rate:post:{post_id}", RATE_WINDOW)
    if on_post > settings.COMMENTS_PER_POST * POST_REFUSE_FACTOR:
        minutes = _minutes_left(RATE_WINDOW)
        raise Refused(
            "This post is receiving too many comments at once. Your text is kept "
            f"below: please wait {minutes} minute{'s' if minutes != 1 else ''} "
            "and send it again.",
            status=429,
        )
    if on_post > settings.COMMENTS_PER_POST:
        return [BUSY_POST_REASON]
    return []


def _minutes_left(window: timedelta) -> int:
    """Whole minutes, rounded up, until the current fixed window ends (windows
    start at multiples of their length since the epoch, as gazette.limits
    counts them)."""
    seconds = int(window.total_seconds())
    left = seconds - int(time.time()) % seconds
    return max(1, -(-left // 60))


def fingerprint(body: str) -> str:
    """A hash of the text with case and spacing evened out."""
    return hashlib.sha256(normalise(body).encode()).hexdigest()


def normalise(body: str) -> str:
    return " ".join(re.findall(r"\w+", body.casefold()))


@dataclass
class Evidence:
    """What one check found: `certain` reasons send a comment to the spam
    folder, `suspicious` ones hold it for a look."""

    certain: list[str]
    suspicious: list[str]


def repeated_text(
    post_id: int,
    body: str,
    email: str,
    ip: str | None,
    commenter_id: str = "",
    *,
    leans_spam: bool,
) -> Evidence:
    """Weigh a comment whose text came before.

    The same person sending it again to the same post is a double submission:
    Refused. Readers agreeing in the same words is common ("Love this song!"):
    once an earlier copy was approved the repeat tells nothing, and otherwise it
    is held for a look. The same text spread over CAMPAIGN_SPREAD addresses or
    posts within a day, none of it approved, is a campaign: certain spam when
    the classifier `leans_spam` too, and otherwise held, since a saying many
    people use ("Sorry, I'll call you later") spreads the same way.
    """
    from gazette.comments.models import Comment

    now = timezone.now()
    earlier = list(
        Comment.objects.filter(
            fingerprint=fingerprint(body), created_at__gte=now - IDENTICAL_WITHIN
        )
        .exclude(status=Comment.Status.TRASH)
        .order_by("-created_at")
        .values_list(
            "post_id", "author_email", "ip_address", "commenter_id", "status",
            "created_at",
        )[:100]
    )  # fmt: skip
    for other_post, other_email, other_ip, other_commenter, *_ in earlier:
        same_person = (
            (email and other_email.lower() == email.lower())
            or (ip and other_ip == ip)
            or (commenter_id and other_commenter == commenter_id)
        )
        if other_post == post_id and same_person:
            raise Refused("You have already posted this comment here.")
    if not earlier or len(normalise(body)) < IDENTICAL_MIN_LENGTH:
        return Evidence([], [])
    if any(status == Comment.Status.APPROVED for *_, status, _ in earlier):
        return Evidence([], [])
    recent = [row for row in earlier if row[5] >= now - CAMPAIGN_WINDOW]
    addresses = {row[2] for row in recent if row[2]} | ({ip} if ip else set())
    posts = {row[0] for row in recent} | {post_id}
    if len(addresses) >= CAMPAIGN_SPREAD or len(posts) >= CAMPAIGN_SPREAD:
        spread = f"{len(addresses)} address(es) on {len(posts)} post(s)"
        reason = f"Same text within a day from {spread}"
        return Evidence([reason], []) if leans_spam else Evidence([], [reason])
    return Evidence([], [f"Held: same text as {len(earlier)} earlier comment(s)"])


def link_evidence(body: str, score: float) -> Evidence:
    """An overwhelming number of links is certain spam; more than a few hold a
    comment unless the classifier's `score` calls it plainly ordinary."""
    count = link_count(body)
    if count >= CERTAIN_LINKS:
        return Evidence([f"{count} links in the text"], [])
    if count > MAX_LINKS and score >= ORDINARY_SCORE:
        return Evidence([], [f"{count} links in the text"])
    return Evidence([], [])


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
