"""Teaching the classifier from many comments that were moderated elsewhere.

An imported blog brings years of its moderators' decisions: comments approved
and comments marked as spam. Taught to the classifier (`learning.teach`, the
same lesson a moderation decision gives), they make it know this blog's
readers and its spammers from the first day. The lessons are given in
batches, each in one transaction, so that a large import is taught in a
reasonable time without one long lock.
"""

from collections import Counter
from collections.abc import Iterable

from django.db import transaction

from gazette.comments.models import Comment
from gazette.comments.spam import learning

BATCH = 500
# What a comment's state teaches; held and trashed comments teach nothing.
LESSONS = {
    Comment.Status.APPROVED: Comment.Label.HAM,
    Comment.Status.SPAM: Comment.Label.SPAM,
}


def teach_moderated(comment_ids: Iterable[int]) -> Counter[str]:
    """Teach the classifier each of these comments that is approved ("ham")
    or in the spam folder ("spam") and was not taught anything yet, so that a
    later moderation decision is never overruled. Returns how many were taught
    each label."""
    taught: Counter[str] = Counter()
    ids = sorted(set(comment_ids))
    for start in range(0, len(ids), BATCH):
        untaught = Comment.objects.filter(
            pk__in=ids[start : start + BATCH],
            status__in=list(LESSONS),
            trained_as=Comment.Label.NONE,
        )
        with transaction.atomic():
            for comment in untaught:
                label = LESSONS[Comment.Status(comment.status)]
                if learning.teach(comment, label):
                    taught[label] += 1
    return taught
