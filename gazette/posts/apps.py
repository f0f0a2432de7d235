from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "gazette.posts"
    label = "posts"
