from django.urls import path

from gazette.federation import views

app_name = "federation"
urlpatterns = [
    path("federation/actor", views.actor, name="actor"),
    path("federation/inbox", views.inbox_view, name="inbox"),
    path("federation/outbox", views.outbox, name="outbox"),
    path("federation/followers", views.followers, name="followers"),
    path("federation/following", views.following, name="following"),
    path("federation/posts/<int:pk>", views.post, name="post"),
    path("federation/comments/<int:pk>", views.comment, name="comment"),
    path("federation/authors/<str:username>", views.author, name="author"),
    path(
        "federation/authors/<str:username>/outbox",
        views.author_outbox,
        name="author_outbox",
    ),
    path(
        "federation/authors/<str:username>/followers",
        views.author_followers,
        name="author_followers",
    ),
    path("federation/nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo_links"),
]
