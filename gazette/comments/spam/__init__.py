"""Spam defence in layers, all of it offline: cheap checks first, then a naive
Bayes classifier that learns from moderation, then (optionally) Akismet.

`assess(...)` returns a verdict for a comment that passed its source's own
checks (the form's token, honeypot and timing, in `comments.views`): "spam",
"hold" or "pass", with the classifier's score and the reasons, for the
moderation queue. Submissions that must not be stored at all raise `Refused`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from gazette.comments.spam import akismet
from gazette.comments.spam.checks import (
    FormToken,
    Refused,
    block_reasons,
    check_rate,
    fingerprint,
    honeypot_reasons,
    identical_reasons,
    link_reasons,
    make_form_token,
    read_form_token,
    timing_reasons,
    use_form_token,
)
from gazette.comments.spam.learning import classify, teach

__all__ = [
    "Assessment",
    "FormToken",
    "Refused",
    "assess",
    "check_rate",
    "classify",
    "fingerprint",
    "honeypot_reasons",
    "make_form_token",
    "read_form_token",
    "teach",
    "timing_reasons",
    "use_form_token",
]

SPAM, HOLD, PASS = "spam", "hold", "pass"


@dataclass
class Assessment:
    verdict: str  # SPAM, HOLD or PASS
    score: float
    reasons: list[str] = field(default_factory=list)


def assess(
    post,
    site,
    *,
    name: str,
    email: str,
    url: str,
    body: str,
    ip: str | None,
    user_agent: str = "",
    site_url: str = "",
    spam_signs: Sequence[str] = (),
    hold_signs: Sequence[str] = (),
) -> Assessment:
    """Run every check on a comment for `post`; Refused for a double submission.

    `spam_signs` and `hold_signs` are what the comment's source found itself (a
    filled honeypot; a form sent too fast). Those, a block rule or text copied
    from elsewhere is spam whatever the score; odd timing or many links hold the
    comment at least; otherwise the classifier's score meets the blog's
    thresholds.
    """
    certain = list(spam_signs)
    certain += block_reasons(post, name=name, email=email, url=url, body=body, ip=ip)
    certain += identical_reasons(post.pk, body, email, ip)
    suspicious = [*hold_signs, *link_reasons(body)]
    result = classify(name=name, email=email, url=url, body=body)
    reasons = [*certain, *suspicious, result.summary()]

    if certain or result.value >= site.spam_reject_threshold:
        verdict = SPAM
    elif suspicious or result.value >= site.spam_hold_threshold:
        verdict = HOLD
    else:
        verdict = PASS
    if verdict != SPAM and akismet.is_enabled():
        answer = akismet.check(
            site_url=site_url,
            permalink=site_url + post.get_absolute_url(),
            ip=ip,
            user_agent=user_agent,
            name=name,
            email=email,
            url=url,
            body=body,
        )
        if answer:
            verdict = SPAM
            reasons.insert(0, "Akismet calls it spam")
        elif answer is None:
            reasons.append("Akismet could not be reached")
    return Assessment(verdict, round(result.value, 4), reasons)
