from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "vnnews.news"
    label = "news"
    verbose_name = "Tin tức"
    default_auto_field = "django.db.models.BigAutoField"
