from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "vnnews.reader"
    label = "reader"
    verbose_name = "Trang đọc"
