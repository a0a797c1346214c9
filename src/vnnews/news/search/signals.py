"""Keep the search index in step with Article rows."""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete, post_save

log = logging.getLogger("vnnews.search")


def _saved(sender, instance, raw=False, using="default", **kwargs) -> None:
    if raw:  # loaddata: the fixture's rows are indexed by `vnnews reindex`
        return
    from vnnews.news.search import index_article

    index_article(instance, using=using)


def _deleted(sender, instance, using="default", **kwargs) -> None:
    from vnnews.news.search import remove_article

    remove_article(instance.pk, using=using)


def connect() -> None:
    from vnnews.news.models import Article

    post_save.connect(_saved, sender=Article, dispatch_uid="vnnews.search.saved")
    post_delete.connect(_deleted, sender=Article, dispatch_uid="vnnews.search.deleted")
