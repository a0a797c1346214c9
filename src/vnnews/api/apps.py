from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vnnews.api"
    label = "api"
    verbose_name = "API và kênh tin"

    def ready(self) -> None:
        from vnnews.api import content_version

        content_version.connect()
