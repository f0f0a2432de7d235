from django.apps import AppConfig


def _bump_comment_versions(sender, post, **kwargs) -> None:
    from gazette.lib import pagecache

    # The post's page shows its comments; every listing shows comment counts.
    pagecache.bump_on_commit("comments", f"comments:{post.pk}")


class CommentsConfig(AppConfig):
    name = "gazette.comments"
    label = "comments"

    def ready(self):
        from gazette.comments.services import comments_changed

        comments_changed.connect(
            _bump_comment_versions, dispatch_uid="pagecache-comments"
        )
