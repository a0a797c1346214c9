"""URL map: admin here; the reader site, API and feeds include their own urls modules."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("vnnews.news.health_urls")),
    path("", include("vnnews.api.urls")),
    # The reading site last: its catch-all-ish patterns must not shadow the API or feeds.
    path("", include("vnnews.reader.urls")),
]

handler404 = "vnnews.reader.views.page_not_found"
handler500 = "vnnews.reader.views.server_error"
