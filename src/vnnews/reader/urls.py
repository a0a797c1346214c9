from django.urls import path

from vnnews.reader import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
]
