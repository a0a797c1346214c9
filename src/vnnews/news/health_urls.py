"""/healthz: for load balancers and monitoring (JSON, never cached)."""

from django.urls import path

from vnnews.news.health import healthz

urlpatterns = [path("healthz", healthz, name="healthz")]
