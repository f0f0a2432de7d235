from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "gazette.search"
    label = "search"

    def ready(self):
        from gazette.posts.publishing import content_changed
        from gazette.search import indexing

        content_changed.connect(indexing.on_content_changed, dispatch_uid="search")
