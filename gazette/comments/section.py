"""What a post page shows about comments: the threads, the reader's own comments
awaiting moderation, and the "Post a Comment" form. Rendered by the
{% comment_section post %} tag; the form's view re-shows it with the reasons."""

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest

from gazette.comments import reactions, spam
from gazette.comments.forms import CommentForm
from gazette.comments.models import Comment
from gazette.comments.threads import comment_tree
from gazette.posts.models import Post
from gazette.site.middleware import site_of
from gazette.site.policy import comments_open

OWN_SESSION_KEY = "gazette_own_comments"
OWN_KEEP = 20  # the latest comments a reader sees as "awaiting moderation"


def own_comment_ids(request: HttpRequest) -> list[int]:
    """The reader's own comments that may still await moderation (from the session;
    no query unless they have a session cookie)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return []
    ids = request.session.get(OWN_SESSION_KEY, [])
    return [i for i in ids if isinstance(i, int)]


def comment_context(
    request: HttpRequest, post: Post, form: CommentForm | None = None, error=""
) -> dict:
    """What the post page shows about comments: threads, the form and whether
    comments are open. Approved comments and the reader's own waiting ones come
    in one query."""
    own = own_comment_ids(request)
    shown = Q(status=Comment.Status.APPROVED)
    # A writer sees their own comment as "awaiting moderation" even when it went
    # to the spam folder: a person caught by mistake is not turned away, and a
    # bot learns nothing.
    if own:
        shown |= Q(pk__in=own, status__in=[Comment.Status.HELD, Comment.Status.SPAM])
    comments = list(post.comments.filter(shown).select_related("user"))
    is_open = comments_open(post, site_of(request))
    reply_to = None
    if form is None and is_open:
        reply_to = _reply_target(request, comments, own)
        # A reader's page carries no token: one copy serves many readers (from
        # the page cache, or the comment section's own), and each fetches a
        # token of their own when they start to write. A signed-in person's
        # page is theirs alone and carries one.
        initial = {}
        if request.user.is_authenticated:
            initial["token"] = spam.make_form_token(post.pk)
        if reply_to:
            initial["parent"] = reply_to.pk
        form = CommentForm(user=request.user, initial=initial)
    elif form is not None and form.is_bound:
        parent_id = form.cleaned_data.get("parent") if form.is_valid() else None
        reply_to = next((c for c in comments if c.pk == parent_id), None)
    return {
        "reactions": reactions.summary(post.pk),
        "comment_threads": comment_tree(comments),
        "comment_form": form,
        "comment_error": error,
        "comments_open": is_open,
        "reply_to": reply_to,
        "own_comment_ids": own,
    }


def _reply_target(request: HttpRequest, comments: list, own: list[int]):
    """The comment named by ?replyto=ID when the reader may reply to it."""
    value = request.GET.get("replyto", "")
    if not (value.isascii() and value.isdigit()):
        return None
    for comment in comments:
        if comment.pk == int(value) and (
            comment.status == Comment.Status.APPROVED or comment.pk in own
        ):
            return comment
    return None
