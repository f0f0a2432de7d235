from django.urls import path

from gazette.comments import views

app_name = "comments"
urlpatterns = [
    path("comments/<int:post_id>/post/", views.post_comment, name="post"),
    path("comments/<int:post_id>/token/", views.form_token, name="token"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "comments/unsubscribe/<str:token>/undo/",
        views.resubscribe,
        name="resubscribe",
    ),
    path("comments/mine/", views.erase_request, name="erase_request"),
    path("comments/mine/<str:token>/", views.erase, name="erase"),
    path("comments/mine/<str:token>/copy/", views.erase_copy, name="erase_copy"),
]
