from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReaderConfig(AppConfig):
    name = "vnnews.reader"
    label = "reader"
    verbose_name = "Trang đọc"

    def ready(self) -> None:
        from vnnews.news.db_maintenance import after_migrate

        # Once per `migrate` (sender=this app): the pages' queries need planner statistics.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="vnnews.reader.statistics")
