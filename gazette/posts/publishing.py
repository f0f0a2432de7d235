"""Writing posts and pages: render and sanitise once, save in one transaction.

Views and commands go through these functions rather than saving models directly,
so the stored HTML, the hashtags and the cache always agree with the source.
"""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from gazette.images.models import Image
from gazette.lib.markup import Rendered, render_markdown
from gazette.posts.models import Hashtag, OldAddress, Page, Post

# Sent after a post or page was saved, trashed or restored, inside the transaction,
# with `instance`. Search indexing and cache versions listen to it, so that
# whatever changes content tells them in one way.
content_changed = Signal()


def render_body(source: str) -> Rendered:
    """Render Markdown with links for hashtags and sizes for uploaded images."""
    from django.urls import reverse

    from gazette.lib.markup import IMAGE_RE

    known = Image.objects.info_by_url(IMAGE_RE.findall(source))
    return render_markdown(
        source,
        hashtag_url=lambda name: reverse("posts:hashtag", args=[name]),
        image_info=known.get,
    )


@transaction.atomic
def save_post(post: Post, hashtags: list[str] | None = None) -> Post:
    """Save `post` with its body rendered; its hashtags are `hashtags` plus inline ones.

    `hashtags=None` keeps the post's chosen hashtags and adds inline ones. When a
    public post's address changes (slug or date), the old one keeps leading to it.
    """
    if post.pk:
        before = Post.objects.filter(pk=post.pk).first()
        if before and before.is_visible:
            old_url = before.get_absolute_url()
            if old_url != post.get_absolute_url():
                remember_old_address(old_url, post=post)
    rendered = render_body(post.body)
    post.body_html = rendered.html
    post.updated_at = timezone.now()
    if post.status != Post.Status.DRAFT and post.published_at is None:
        post.published_at = post.updated_at
    if post.status == Post.Status.PUBLISHED and post.published_at > post.updated_at:
        post.status = Post.Status.SCHEDULED
    post.save()
    if hashtags is None:
        hashtags = [h.name for h in post.hashtags.all()]
    names = list(hashtags) + rendered.hashtags
    post.hashtags.set(Hashtag.for_names(names))
    content_changed.send(sender=Post, instance=post)
    return post


@transaction.atomic
def save_page(page: Page) -> Page:
    page.body_html = render_body(page.body).html
    page.updated_at = timezone.now()
    page.save()
    content_changed.send(sender=Page, instance=page)
    return page


def remember_old_address(
    path: str, *, post: Post | None = None, page: Page | None = None
) -> None:
    """Keep `path` leading to `post` or `page` after its address changed."""
    OldAddress.objects.update_or_create(
        path=path[:500], defaults={"post": post, "page": page, "target": ""}
    )
