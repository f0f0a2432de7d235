from django.urls import path

from gazette.comments import views

app_name = "comments"
urlpatterns = [
    path("comments/<int:post_id>/post/", views.post_comment, name="post"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "comments/unsubscribe/<str:token>/undo/",
        views.resubscribe,
        name="resubscribe",
    ),
]
