"""The classifier's memory on this blog: token counts in the database, taught by
every moderation decision and added to the built-in model when scoring."""

from django.db.models import F
from django.db.models.functions import Greatest

from gazette.comments.spam import bayes
from gazette.comments.spam.features import features


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
    """The classifier's score for a comment: built-in model plus what was learned."""
    feature_set = features(name, email, url, body)
    lookup = bayes.Lookup(bayes.built_in_counts(), learned_counts(feature_set))
    return bayes.score(feature_set, lookup)


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
