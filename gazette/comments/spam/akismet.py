"""An optional second opinion from Akismet, off unless GAZETTE_AKISMET_KEY is set.

The offline checks decide on their own; Akismet can only add a spam verdict.
Any failure to reach it is reported as a reason and otherwise ignored.
"""

import logging
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.conf import settings

logger = logging.getLogger(__name__)
ENDPOINT = "https://rest.akismet.com/1.1/comment-check"
TIMEOUT = 5


def is_enabled() -> bool:
    return bool(settings.AKISMET_KEY)


def check(
    *,
    site_url: str,
    permalink: str,
    ip: str | None,
    user_agent: str,
    name: str,
    email: str,
    url: str,
    body: str,
) -> bool | None:
    """True when Akismet calls the comment spam, False when not, None on failure."""
    fields = {
        "api_key": settings.AKISMET_KEY,
        "blog": site_url,
        "permalink": permalink,
        "user_ip": ip or "",
        "user_agent": user_agent,
        "comment_type": "comment",
        "comment_author": name,
        "comment_author_email": email,
        "comment_author_url": url,
        "comment_content": body,
    }
    request = urllib.request.Request(
        ENDPOINT,
        data=urlencode(fields).encode(),
        headers={"User-Agent": "Gazette/0.1 | Akismet/1.1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = response.read(100).decode("ascii", "replace").strip()
    except (urllib.error.URLError, OSError, ValueError) as error:
        logger.warning("Akismet could not be reached: %s", error)
        return None
    if answer not in ("true", "false"):
        logger.warning("Akismet answered %r", answer)
        return None
    return answer == "true"
