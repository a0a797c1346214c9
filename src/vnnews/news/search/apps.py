from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Full-text search over articles: SQLite FTS5 or PostgreSQL tsvector, behind one interface."""

    name = "vnnews.news.search"
    label = "search"
    verbose_name = "Tìm kiếm"

    def ready(self) -> None:
        # Keep the index current on every save and delete of an Article (`vnnews reindex` rebuilds
        # it after bulk changes that bypass signals, such as QuerySet.update()).
        from vnnews.news.search import signals

        signals.connect()
