from django.urls import path

from vnnews.reader import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("tim-kiem/", views.search, name="search"),
    path("chuyen-muc/<slug:slug>/", views.section, name="section"),
    path("nguon/<str:domain>/", views.source, name="source"),
    path("the/<str:tag>/", views.tag, name="tag"),
    path("bai/<int:pk>-<slug:slug>/", views.article, name="article"),
    path("bai/<int:pk>/", views.article, name="article-short"),
]
