"""The import pipeline: worker processes prepare items (extract, normalise, sanitise, search keys)
while the main process writes. With or without workers an import stores the same articles, the
same records and the same search rows; a worker failure falls back to the main process; a
killed import leaves no worker behind."""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from vnnews.news.importers import pipeline
from vnnews.news.importers.runner import run_import
from vnnews.news.models import Article, ImportRecord, RawPage
from vnnews.news.search import search

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"


@pytest.fixture(autouse=True)
def _archive(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"


def corpus(folder: Path) -> Path:
    """The demo corpus (text dumps, dantri-unc, HTML pages) plus a JSONL file with a bad line, a
    record without a title and one address twice, in chunks of a few items."""
    folder.mkdir()
    for name in ("dantri-unc", "seed", "vn-pages"):
        shutil.copytree(DEMO / name, folder / name)
    lines = [json.dumps({"url": f"https://dantri.com.vn/a-{i}.htm", "title": f"Tin {i}: Hà Nội",
                         "content": f"Đoạn {i}.\n\nThuỷ thủ hoà giải.", "source": "dantri.com.vn"},
                        ensure_ascii=False) for i in range(5)]  # fmt: skip
    lines += ["{not json", json.dumps({"url": "https://dantri.com.vn/x.htm", "content": "x"})]
    lines.append(lines[0].replace("hoà giải", "hoà giải xong"))
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def snapshot() -> dict:
    articles = sorted(
        Article.objects.values_list("url", "title", "sapo", "text", "blocks", "content_hash")
    )
    records = sorted(
        ImportRecord.objects.values_list("item_key", "outcome", "stage", "reason", "url")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.url, e.published_us FROM search_searchentry e "
                       "JOIN news_article a ON a.id = e.article_id ORDER BY a.url")  # fmt: skip
        entries = cursor.fetchall()
    hits = {q: [a.url for a in search(q, per_page=50).articles]
            for q in ("ha noi", "thuy thu hoa giai", "Thuỷ thủ", "kinh doanh", "giá")}  # fmt: skip
    return {"articles": articles, "records": records, "entries": entries, "hits": hits,
            "raw_pages": RawPage.objects.count()}  # fmt: skip


def imported(tmp_path: Path, workers: int) -> dict:
    folder = corpus(tmp_path / f"in-{workers}")
    summary = run_import([folder], batch=f"w{workers}", progress=False, workers=workers)
    assert summary.counts[ImportRecord.Outcome.FAILED] == 2  # the bad line, the title-less one
    result = snapshot()
    # Origins differ between the two folders: compare what was stored, then start afresh.
    Article.objects.all().delete()
    ImportRecord.objects.all().delete()
    RawPage.objects.all().delete()
    return result


def test_workers_store_exactly_what_a_single_process_stores(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("vnnews.news.importers.runner.BATCH_SIZE", 7)
    alone = imported(tmp_path, workers=0)
    assert len(alone["articles"]) > 20 and alone["raw_pages"] > 0
    assert alone["hits"]["thuy thu hoa giai"]
    assert imported(tmp_path, workers=2) == alone
    assert "preparing in the main process" not in caplog.text  # the pool did the work


def test_the_objects_kept_out_of_the_gc_during_an_import_are_given_back(tmp_path, monkeypatch):
    """An import keeps what existed before it out of the cyclic GC (workers forked from it do
    not traverse it either), and gives it back after, even when the import fails; objects some
    other part of the process froze (the reader's related index) are left as they were."""
    frozen = []
    monkeypatch.setattr(
        "vnnews.news.importers.runner.Importer.import_file",
        lambda self, path: frozen.append((gc.get_freeze_count(), gc.get_threshold()[0])),
    )
    gc.unfreeze()  # as in `vnnews import`: nothing frozen yet
    thresholds = gc.get_threshold()
    run_import([corpus(tmp_path / "in")], batch="gc", progress=False, workers=0)
    assert frozen and all(count > 0 and young >= 10_000 for count, young in frozen)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds

    def failing(self, path):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("vnnews.news.importers.runner.Importer.import_file", failing)
    with pytest.raises(RuntimeError):
        run_import([corpus(tmp_path / "again")], batch="gc", progress=False, workers=0)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds

    gc.freeze()  # someone else's
    theirs = gc.get_freeze_count()
    with pytest.raises(RuntimeError):
        run_import([corpus(tmp_path / "theirs")], batch="gc", progress=False, workers=0)
    # Neither given back (0) nor added to; a few of theirs may have died meanwhile (a frozen
    # object freed by reference counting leaves the count: the queries an earlier test logged).
    assert 0 < gc.get_freeze_count() <= theirs
    gc.unfreeze()


def test_a_broken_pool_falls_back_to_the_main_process(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", broken)
    folder = corpus(tmp_path / "in")
    summary = run_import([folder], batch="b", progress=False, workers=2)
    assert summary.counts[ImportRecord.Outcome.CREATED] > 20
    found = {a.url for a in search("thuy thu hoa giai", per_page=50).articles}
    assert {f"https://dantri.com.vn/a-{i}.htm" for i in range(5)} <= found


UNSENDABLE = """
import functools, os, sys
import django
django.setup()
from vnnews.news.importers import jsonl, pipeline
from vnnews.news.importers.base import Item

def item(n, parse=None):
    line = ('{"url": "https://dantri.com.vn/a-%d.htm", "title": "Tin %d", "content": "Hà Nội."}'
            % (n, n)).encode()
    return Item(key=f"dòng {n}", raw_hash=str(n), parse=parse or functools.partial(jsonl._parse, line))

preparer = pipeline.Preparer(2)
first = [item(n) for n in range(4)]
first.append(item(9, parse=lambda: first[0].parse()))  # a lambda: cannot be pickled
done = preparer.submit(first)()
assert [p.url for p in done] == [f"https://dantri.com.vn/a-{n}.htm" for n in (0, 1, 2, 3, 0)], done
assert preparer.workers == 2  # the pool is kept for the chunks that can travel
assert len(preparer.submit([item(n) for n in range(5, 8)])()) == 3
assert preparer.pool is not None
preparer.close()
print("ok")
"""


def test_a_chunk_that_cannot_be_sent_to_the_workers_is_prepared_in_the_main_process(tmp_path):
    """In its own process, with a time limit: before, the pickling error came up in the pool's
    feeder thread, and the fallback's pool shutdown could then wait forever."""
    from tests.processes import process_env

    done = subprocess.run([sys.executable, "-c", UNSENDABLE], env=process_env(tmp_path),
                          capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


MAIN_PID = os.getpid()


def dying_in_a_worker(item):
    """prepare_item, except that a worker process preparing line 3 dies on the spot."""
    if item.key == "dòng 3" and os.getpid() != MAIN_PID:
        os._exit(1)
    return pipeline_prepare_item(item)


pipeline_prepare_item = pipeline.prepare_item


def test_a_worker_that_dies_costs_nothing(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pipeline, "prepare_item", dying_in_a_worker)
    folder = corpus(tmp_path / "in")
    summary = run_import([folder], batch="b", progress=False, workers=2)
    assert "preparing in the main process" in caplog.text
    assert summary.counts[ImportRecord.Outcome.FAILED] == 2  # the bad line, the title-less one
    assert ImportRecord.objects.count() == summary.total
    found = {a.url for a in search("thuy thu hoa giai", per_page=50).articles}
    assert {f"https://dantri.com.vn/a-{i}.htm" for i in range(5)} <= found


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_killed_import_leaves_no_worker_behind(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(3000):
            record = {"url": f"https://vnexpress.net/bai-{i}.html", "title": f"Tin số {i}",
                      "content": f"Đoạn một của tin {i}.\n" * 20, "source": "vnexpress.net"}  # fmt: skip
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(VNNEWS_DATA_DIR=str(tmp_path / "var"), VNNEWS_LOG_LEVEL="ERROR")
    (tmp_path / "var").mkdir()
    vnnews = [sys.executable, "-m", "vnnews.cli"]
    subprocess.run([*vnnews, "migrate", "-v0"], env=env, check=True, timeout=120)
    proc = subprocess.Popen([*vnnews, "import", "--no-progress", "--workers", "2", str(path)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) == 2, "the import never started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived the killed import"


def test_an_import_started_with_the_gc_off_runs_with_it_on(tmp_path, monkeypatch):
    """`vnnews import` starts up with the cyclic GC off (cli.main): the import itself must run
    with it on, or memory would grow with every cycle a long import makes."""
    enabled = []
    monkeypatch.setattr(
        "vnnews.news.importers.runner.Importer.import_file",
        lambda self, path: enabled.append(gc.isenabled()),
    )
    gc.disable()
    try:
        run_import([corpus(tmp_path / "in")], batch="gc-off", progress=False, workers=0)
        assert enabled and all(enabled)
        assert not gc.isenabled()  # the caller's setting is given back
    finally:
        gc.enable()


def test_the_import_command_turns_the_gc_on_once_start_up_is_over(tmp_path, db):
    """cli.main starts `vnnews import` with the GC off; the command's own work (the import,
    then --stories) must run with it on."""
    from django.core.management import call_command

    gc.disable()
    try:
        call_command("import", str(corpus(tmp_path / "in")), "--no-progress", "--workers", "0")
        assert gc.isenabled()
    finally:
        gc.enable()


def test_the_import_command_collects_nothing_before_the_import_froze_start_up(tmp_path, db):
    """The point of cli.main's quiet start: start-up's objects are frozen before any collection
    traverses them. A collection between the command's start and the import's freeze (nothing
    frozen yet) would go over all of them at once, as they were never collected."""
    from django.core.management import call_command

    frozen_at_collections: list[int] = []

    def collecting(phase, info):
        if phase == "start":
            frozen_at_collections.append(gc.get_freeze_count())

    def import_file(self, path):
        frozen_at_collections.append(-1)  # the import has begun

    folder = corpus(tmp_path / "in")
    gc.unfreeze()  # as in `vnnews import`: nothing frozen yet
    gc.disable()
    start_up = [[] for _ in range(10_000)]  # objects made with the GC off, never collected
    gc.callbacks.append(collecting)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("vnnews.news.importers.runner.Importer.import_file", import_file)
            call_command("import", str(folder), "--no-progress", "--workers", "0")
    finally:
        gc.callbacks.remove(collecting)
        gc.enable()
    assert start_up and -1 in frozen_at_collections
    before_import = frozen_at_collections[: frozen_at_collections.index(-1)]
    assert all(count > 0 for count in before_import), frozen_at_collections
