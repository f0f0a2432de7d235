from django.apps import AppConfig


def _bump_content_version(sender, **kwargs) -> None:
    from gazette.lib import pagecache

    pagecache.bump_on_commit("content")


class PostsConfig(AppConfig):
    name = "gazette.posts"
    label = "posts"

    def ready(self):
        from gazette.posts.publishing import content_changed

        # Every page shows posts or the sidebar built from them.
        content_changed.connect(_bump_content_version, dispatch_uid="pagecache-content")
