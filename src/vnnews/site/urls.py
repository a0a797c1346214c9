"""URL map: admin here; the reader site, API and feeds include their own urls modules."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
