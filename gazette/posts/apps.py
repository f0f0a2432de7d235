from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "gazette.posts"
    label = "posts"

    def ready(self):
        from gazette.images.tasks import renditions_made
        from gazette.posts.writing import show_renditions

        def show_new_renditions(sender, image, **kwargs) -> None:
            show_renditions(image)

        # Images sit below posts: they announce new renditions, posts re-render.
        renditions_made.connect(
            show_new_renditions, weak=False, dispatch_uid="gazette.posts.renditions"
        )
