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
    link_evidence,
    make_form_token,
    read_form_token,
    repeated_text,
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
    commenter_id: str = "",
) -> Assessment:
    """Run every check on a comment for `post`; Refused for a double submission.

    Nobody reads the spam folder, so a comment goes there only on strong
    evidence: what the source found certain (`spam_signs`: a filled honeypot),
    a block rule, the same text spread over many addresses or posts (when the
    classifier leans well towards spam too), an overwhelming number of links, or a classifier score at the blog's reject
    threshold. Whatever is only suspicious (`hold_signs`: a form sent too fast,
    a busy post; text seen before; a few links; a score above the hold threshold)
    is held for a look. A few links hold a comment only while the classifier does
    not call it plainly ordinary, so a blog whose readers share links can teach
    it that they are. `commenter_id` is the browser's signed commenter id,
    which tells a double submission from someone else's copy.
    """
    result = classify(name=name, email=email, url=url, body=body)
    # Halfway from the hold threshold to the spam folder's: a campaign of a
    # saying many people send (chain messages, "call me later") scores just
    # above the hold threshold and is only held.
    leans_spam = (
        result.value >= (site.spam_hold_threshold + site.spam_reject_threshold) / 2
    )
    repeated = repeated_text(
        post.pk, body, email, ip, commenter_id, leans_spam=leans_spam
    )
    links = link_evidence(body, result.value)
    certain = list(spam_signs)
    certain += block_reasons(post, name=name, email=email, url=url, body=body, ip=ip)
    certain += [*repeated.certain, *links.certain]
    suspicious = [*hold_signs, *repeated.suspicious, *links.suspicious]
    reasons = [*certain, *suspicious, result.summary()]

    if certain or result.value >= site.spam_reject_threshold:
        verdict = SPAM
    # Above, not at: a score of exactly 0.5 is no evidence either way.
    elif suspicious or result.value > site.spam_hold_threshold:
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
