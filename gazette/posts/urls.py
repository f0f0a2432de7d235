from django.urls import path, re_path

from gazette.posts import views

app_name = "posts"
urlpatterns = [
    path("", views.home, name="home"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.year_archive, name="year"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.month_archive, name="month"
    ),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<slug>[-\w]+)/$",
        views.post_detail,
        name="detail",
    ),
    path("hashtag/<str:name>/", views.hashtag_detail, name="hashtag"),
    path("hashtags/", views.hashtag_index, name="hashtags"),
    path("p/<str:slug>/", views.page_detail, name="page"),
]
