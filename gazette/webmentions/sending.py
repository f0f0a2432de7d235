"""Sending webmentions: telling the pages a post links to that it does.

For each outside page a published post links to, the page's webmention
endpoint is discovered (pages.endpoint: its Link header, else its first
<link> or <a> with rel="webmention") and sent the post's address as `source`
and the page's as `target`. A target the post linked to before but no longer
does is told as well, once, so that it can see the link went; so is every
target of a post that is unpublished or trashed (its page now answers 404).

`Sent` keeps what each target was last told, so a save that changes neither
the post's address, title nor text notifies nobody again. A remote failure is
recorded on that row, never raised: one broken site must not stop the others.
Runs in the task worker (tasks.send_webmentions), never in a request.
"""

import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gazette.lib import fetch
from gazette.posts.models import Post
from gazette.webmentions import pages
from gazette.webmentions.models import Sent

logger = logging.getLogger(__name__)

# A post linking to more pages than this is notified for the first ones only:
# each target costs up to two requests, and a long list of links is more
# likely a link list than a conversation.
MAX_TARGETS = 50


def site_url() -> str:
    """The blog's address as settings know it, for a write made outside any
    request: the first of ALLOWED_HOSTS that names one host, over https when
    GAZETTE_HTTPS is on."""
    scheme = "https" if getattr(settings, "HTTPS", False) else "http"
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and host != "*":
            return f"{scheme}://{host}"
    return f"{scheme}://localhost"


def targets(post: Post, source: str) -> list[str]:
    """The outside http(s) pages the post's body links to, in order, each
    once (fragments aside), at most MAX_TARGETS: links to the blog itself
    are not webmentions."""
    own = _origin(source)
    found: dict[str, str] = {}
    for link in pages.links(post.body_html, source):
        address = link.split("#", 1)[0]
        if len(address) > 500 or _origin(address) in (None, own):
            continue
        found.setdefault(address, address)
        if len(found) == MAX_TARGETS:
            break
    return list(found)


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) address; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname.lower(), port or default


def content_hash(post: Post, source: str) -> str:
    """What a target would find changed at the source: the address, title and
    text (the Markdown, so that re-rendering the same text, as new image
    renditions do, is no change)."""
    text = "\n".join([source, post.title, post.body])
    return hashlib.sha256(text.encode()).hexdigest()


def send_for_post(post: Post, site: str) -> list[Sent]:
    """Notify what `post` links to now, and what it no longer links to.

    A visible post notifies each target it links to whose row is new, or was
    told the link went, or was told of a different version of the post; a
    post readers cannot see (a draft, trashed, or scheduled later) links to
    nothing. Either way, each target still marked as linked that the post no
    longer links to is told once. Returns the rows notified this time.
    """
    source = site.rstrip("/") + post.get_absolute_url()
    current = targets(post, source) if post.is_visible else []
    digest = content_hash(post, source)
    known = {sent.target: sent for sent in Sent.objects.filter(post=post)}
    notified = []
    for target in current:
        sent = known.get(target)
        if sent is None or not sent.is_linked or sent.content_hash != digest:
            sent = sent or Sent(post=post, target=target)
            sent.is_linked = True
            notified.append(_notify(sent, source, digest))
    gone = [s for t, s in known.items() if s.is_linked and t not in current]
    for sent in gone:
        sent.is_linked = False
        notified.append(_notify(sent, source, digest))
    return notified


def _notify(sent: Sent, source: str, digest: str) -> Sent:
    """Discover the target's endpoint and post to it; record the outcome on
    `sent` and save it, whatever happened remotely."""
    sent.endpoint, sent.response_code, sent.reason = "", None, ""
    try:
        page = fetch.get(sent.target)
        endpoint = pages.endpoint(page)
        if page.status >= 400:
            sent.status = Sent.Status.FAILED
            sent.reason = f"the target answered {page.status}"
        elif endpoint is None:
            sent.status = Sent.Status.NO_ENDPOINT
        else:
            sent.endpoint = endpoint[:500]
            answer = fetch.post(endpoint, {"source": source, "target": sent.target})
            sent.response_code = answer.status
            if 200 <= answer.status < 300:
                sent.status = Sent.Status.SENT
            else:
                sent.status = Sent.Status.FAILED
                sent.reason = f"the endpoint answered {answer.status}"
    except fetch.FetchError as error:
        sent.status = Sent.Status.FAILED
        sent.reason = str(error)[:300]
        logger.info("Webmention to %s not sent: %s", sent.target, error)
    sent.content_hash = digest
    sent.sent_at = timezone.now()
    try:
        with transaction.atomic():
            sent.save()
    except IntegrityError:
        # Another run for the same post recorded this target a moment ago.
        pass
    return sent
