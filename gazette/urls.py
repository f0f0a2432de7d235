from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from gazette import views
from gazette.comments import feeds as comment_feeds
from gazette.posts import feed_urls as post_feeds
from gazette.posts.sitemaps import SITEMAPS, robots_txt

# Every feed, the posts' and the comments', under one namespace: feeds:posts_atom.
feed_patterns = post_feeds.urlpatterns + comment_feeds.urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("gazette.desk.urls")),
    path("", include("gazette.posts.urls")),
    path("", include("gazette.comments.urls")),
    path("", include((feed_patterns, "feeds"))),
    path("", include("gazette.search.urls")),
    path("", include("gazette.webmentions.urls")),
    path("", include("gazette.federation.urls")),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("touch-icon.png", views.touch_icon, name="touch_icon"),
    path("theme.css", views.theme_css, name="theme_css"),
]

if settings.SERVE_MEDIA:
    # One-machine mode: uploads are served by the app. Behind a web server, turn
    # this off and let the server answer MEDIA_URL.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{prefix}(?P<path>.*)$", views.media, name="media")]

handler404 = "gazette.views.not_found"
handler500 = "gazette.views.server_error"
