from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("gazette.desk.urls")),
    path("", include("gazette.posts.urls")),
    path("", include("gazette.comments.urls")),
]

if settings.SERVE_MEDIA:
    # One-machine mode: uploads are served by the app. Behind a web server, turn
    # this off and let the server answer MEDIA_URL.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(
            rf"^{prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        )
    ]

handler404 = "gazette.views.not_found"
handler500 = "gazette.views.server_error"
