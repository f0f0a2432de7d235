from django.urls import path

from gazette.webmentions import views

app_name = "webmentions"
urlpatterns = [path("webmention/", views.endpoint, name="endpoint")]
