from django.urls import path

from gazette.comments import moderation, views

app_name = "comments"
urlpatterns = [
    path("comments/<int:post_id>/post/", views.post_comment, name="post"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "comments/unsubscribe/<str:token>/undo/",
        views.resubscribe,
        name="resubscribe",
    ),
    path("desk/comments/", moderation.queue, name="queue"),
    path("desk/comments/blocked/", moderation.block_rules, name="block_rules"),
    path(
        "desk/comments/blocked/<int:pk>/delete/",
        moderation.delete_block_rule,
        name="delete_block_rule",
    ),
]
