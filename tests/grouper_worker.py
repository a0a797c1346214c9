"""A worker process for tests/test_story_grouper.py, on the database the environment gives
(VNNEWS_DATA_DIR's SQLite file, or DATABASE_URL):

    python tests/grouper_worker.py setup            # migrate, store the race's EVENTS waiting
    python tests/grouper_worker.py add TITLE TEXT   # store one more article, waiting; its pk
    python tests/grouper_worker.py group-if-free    # what a worker does after storing
    python tests/grouper_worker.py waiting          # pks of the articles waiting to be grouped
    python tests/grouper_worker.py report           # every article's story, as JSON
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import story_race_worker  # noqa: E402  (sets DJANGO_SETTINGS_MODULE)


def main() -> None:
    import django

    django.setup()
    from tests.factories import make_article, make_source, mark_pending
    from vnnews.news import story_grouper

    command = sys.argv[1]
    if command == "setup":
        pks = story_race_worker.setup()
        for pk in pks:
            mark_pending(pk)
        out = pks
    elif command == "add":
        source = make_source("vnexpress.net")
        url = f"https://vnexpress.net/{uuid.uuid4().hex}.html"  # each process counts from 1
        article = make_article(sys.argv[2], text=sys.argv[3], source=source, url=url)
        mark_pending(article.pk)
        out = article.pk
    elif command == "group-if-free":
        out = story_grouper.group_if_free()
    elif command == "waiting":
        out = story_grouper.pending_ids()
    else:
        out = story_race_worker.report()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
