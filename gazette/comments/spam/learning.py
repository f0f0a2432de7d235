"""The classifier's memory on this blog: feature counts in the database, taught by
every moderation decision and added to the built-in model when scoring.

The counts live in `SpamToken` rows rather than in the process, so a decision in
a rolled-back transaction teaches nothing and every app server scores alike.
"""

from collections.abc import Iterable

from django.db.models import F
from django.db.models.functions import Greatest

from gazette.comments.spam import bayes
from gazette.comments.spam.features import features

# Read the built-in model once, when the process starts, not in a request.
bayes.built_in_counts()


def comment_features(comment) -> set[str]:
    return features(
        comment.author_name, comment.author_email, comment.author_url, comment.body
    )


def learned_counts(feature_set: set[str]) -> bayes.Counts:
    """What moderation taught about `feature_set` (one query)."""
    from gazette.comments.models import SpamToken

    counts = bayes.Counts.empty()
    wanted = [*feature_set, SpamToken.MESSAGES]
    for token, spam, ham in SpamToken.objects.filter(token__in=wanted).values_list(
        "token", "spam_count", "ham_count"
    ):
        if token == SpamToken.MESSAGES:
            counts.spam_messages, counts.ham_messages = spam, ham
        else:
            counts.spam[token], counts.ham[token] = spam, ham
    return counts


def classify(*, name: str, email: str, url: str, body: str) -> bayes.Score:
    """The classifier's score for a comment: built-in model plus what was learned,
    held near neutral while the blog has taught it little (one query)."""
    feature_set = features(name, email, url, body)
    learned = learned_counts(feature_set)
    lookup = bayes.Lookup(bayes.built_in_counts(), learned)
    result = bayes.score(feature_set, lookup)
    taught = learned.spam_messages + learned.ham_messages
    result.value = bayes.humble(result.value, taught, feature_set)
    return result


def teach(comment, label: str) -> bool:
    """Teach the classifier that `comment` is `label` ("spam", "ham" or "" to
    forget it), undoing what it was taught before. Saves comment.trained_as.
    Returns whether anything changed."""
    previous = comment.trained_as
    if previous == label:
        return False
    feature_set = comment_features(comment)
    if previous:
        _add(feature_set, previous, -1)
    if label:
        _add(feature_set, label, +1)
    comment.trained_as = label
    comment.save(update_fields=["trained_as"])
    return True


def _add(feature_set: set[str], label: str, delta: int) -> None:
    from gazette.comments.models import SpamToken

    tokens = sorted(feature_set | {SpamToken.MESSAGES})
    if delta > 0:
        SpamToken.objects.bulk_create(
            [SpamToken(token=t) for t in tokens], ignore_conflicts=True, batch_size=500
        )
    field = "spam_count" if label == "spam" else "ham_count"
    for start in range(0, len(tokens), 500):
        SpamToken.objects.filter(token__in=tokens[start : start + 500]).update(
            **{field: Greatest(F(field) + delta, 0)}
        )


def teach_many(examples: Iterable[tuple[set[str], bool]]) -> int:
    """Teach many labelled feature sets at once ((features, is_spam) pairs), as
    a bulk import or training command does; comments' `trained_as` is not
    touched. Returns how many were taught. Each count moves by an addition in
    the database, so teaching at the same time elsewhere is not lost."""
    from gazette.comments.models import SpamToken

    deltas: dict[str, list[int]] = {}
    taught = 0
    for feature_set, is_spam in examples:
        taught += 1
        for token in (*feature_set, SpamToken.MESSAGES):
            deltas.setdefault(token, [0, 0])[0 if is_spam else 1] += 1
    SpamToken.objects.bulk_create(
        [SpamToken(token=t) for t in sorted(deltas)],
        ignore_conflicts=True,
        batch_size=500,
    )
    # Tokens that move by the same amounts are updated in one query.
    by_delta: dict[tuple[int, int], list[str]] = {}
    for token, (spam, ham) in deltas.items():
        by_delta.setdefault((spam, ham), []).append(token)
    for (spam, ham), tokens in sorted(by_delta.items()):
        for start in range(0, len(tokens), 500):
            SpamToken.objects.filter(token__in=tokens[start : start + 500]).update(
                spam_count=F("spam_count") + spam, ham_count=F("ham_count") + ham
            )
    return taught
