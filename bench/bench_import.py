"""Import benchmark: `vnnews import` throughput on SQLite and PostgreSQL, and peak memory.

    make bench-import                                  # 50,000 JSONL records, 711 HTML pages
    .venv/bin/python bench/bench_import.py --ratio-pairs 5   # HTML import/extraction, 5 pairs
    .venv/bin/python bench/bench_import.py --records 5000 --pages 200 --no-postgres

- JSONL: the dantri-unc corpus (../shared/data/corpus/dantri-unc) repeated to --records records,
  each with its own URL, written to a temporary .jsonl file (streamed, never held in memory).
- HTML: the WCXB dev article pages (../shared/data/extraction/wcxb-dev-article/html/*.html.gz),
  imported as files (archive to WARC, extract, store), next to raw extraction speed of the same
  pages (vnnews.extract.extract in one process) for the import/extraction ratio.

Every run is a fresh `vnnews import` subprocess on a fresh database (SQLite in a temporary data
folder; PostgreSQL in a temporary database `vnnews_bench_import` on DATABASE_URL's server, or
postgres://postgres@127.0.0.1:5432/postgres; --scratch-db names it otherwise, for people sharing one
server), timed from outside, so the figures include start-up. For the HTML import/extraction
ratio, a second line also gives it without start-up: the same command timed on an empty folder
(lower of two runs) and subtracted; the raw ratio is always printed first.
Each import runs twice: with its default worker processes (items prepared ahead while the main
process writes; "2 workers") and in one process (`--workers 0`, "1 process"). CPU time and peak
memory are the child's rusage, which counts its worker processes too (CPU: their sum; peak: the
largest single process). Targets (issue 3): >= 1,000 JSONL records/s on SQLite,
HTML import within 20% of raw extraction speed, peak memory under 300 MB whatever the input size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VNNEWS_SHARED_DIR", ROOT.parent / "shared")) / "data"
DANTRI = SHARED / "corpus" / "dantri-unc"
WCXB = SHARED / "extraction" / "wcxb-dev-article" / "html"
PG_DB = "vnnews_bench_import"


def dantri_records() -> list[dict]:
    sys.path.insert(0, str(ROOT / "src"))
    from vnnews.news.importers.dantri import parse

    records = []
    for path in sorted(DANTRI.glob("news_*.txt")):
        article = parse(path.read_bytes())
        records.append(
            {
                "url": article.url,
                "title": article.title,
                "sapo": article.sapo,
                "content": article.text,
                "publish": article.published.isoformat() if article.published else "",
                "cat": article.section,
                "source": "dantri.com.vn",
            }
        )
    return records


def write_jsonl(path: Path, total: int) -> None:
    base = dantri_records()
    with open(path, "w", encoding="utf-8") as out:
        for i in range(total):
            record = dict(base[i % len(base)])
            parts = urlsplit(record["url"])
            # A distinct address per copy; the content repeats, which the importer must not mind.
            record["url"] = urlunsplit((parts.scheme, parts.netloc, f"{parts.path}-c{i}", "", ""))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def child_env(data_dir: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        VNNEWS_DATA_DIR=str(data_dir), VNNEWS_LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT / "src")
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def timed(argv: list[str], env: dict) -> tuple[float, float, str, float]:
    """(seconds, peak RSS in MB, stdout, CPU seconds) of one child process. On a shared machine
    the CPU time says what the import costs; the wall time also counts waiting for a core."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{out}")
    return seconds, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


def postgres_url(base: str, name: str = PG_DB) -> str:
    import psycopg

    parts = urlsplit(base or "postgres://postgres@127.0.0.1:5432/postgres")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(
        admin.replace("postgres://", "postgresql://", 1), autocommit=True, connect_timeout=3
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def drop_postgres(url: str, name: str = PG_DB) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")


def import_run(
    label: str, paths: list[Path], items: int, database_url: str, work: Path, workers: list[str]
) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="import-", dir=work))
    env = child_env(data_dir, database_url)
    vnnews = [sys.executable, "-m", "vnnews.cli"]
    subprocess.run([*vnnews, "migrate", "-v0"], env=env, check=True)
    argv = [*vnnews, "import", "--no-progress", *workers, *map(str, paths)]
    server_before = server_cpu(database_url)
    seconds, peak, out, cpu = timed(argv, env)
    server = server_cpu(database_url)
    if server is not None and server_before is not None:
        time.sleep(0.3)  # the import's backend, just gone, is counted once the server reaps it
        server = server_cpu(database_url) - server_before
    summary = next(
        (line for line in out.splitlines() if line.startswith("Đã xử lý")), out.strip()[:200]
    )
    return {
        "run": label,
        "items": items,
        "seconds": seconds,
        "rate": items / seconds if items else 0.0,
        "cpu": cpu,
        "peak_mb": peak,
        "summary": summary,
        "server_cpu": server,
    }


def server_cpu(database_url: str) -> float | None:
    """CPU seconds the PostgreSQL server has used so far (the postmaster, the backends it has
    reaped, and its live children), when it runs on this machine and /proc shows it; else None.
    On PostgreSQL an import's database work runs there, outside the import's own CPU time."""
    if not database_url or urlsplit(database_url).hostname not in (
        None,
        "127.0.0.1",
        "localhost",
        "::1",
    ):
        return None  # a server elsewhere: its CPU is not this machine's to read
    try:
        import psycopg

        with psycopg.connect(
            database_url.replace("postgres://", "postgresql://", 1), connect_timeout=3
        ) as conn:
            folder = conn.execute("SHOW data_directory").fetchone()[0]
        postmaster = int(Path(folder, "postmaster.pid").read_text().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # a process gone meanwhile
                continue
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == postmaster:
                total += sum(map(int, fields[11:15])) / ticks  # its own and its reaped children's
            elif ppid == postmaster:
                total += sum(map(int, fields[11:13])) / ticks
        return total
    except Exception:  # another machine, no permission, no server: not measured
        return None


EXTRACT_ONLY = """
import gzip, sys, time
from pathlib import Path
from vnnews.extract import extract
pages = [gzip.decompress(Path(p).read_bytes()) for p in sys.argv[1:]]
started, cpu = time.perf_counter(), time.process_time()
for page in pages:
    try:
        extract(page)
    except ValueError:
        pass
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def extract_run(pages: list[Path], work: Path) -> dict:
    env = child_env(work, "")
    seconds, peak, out, _ = timed([sys.executable, "-c", EXTRACT_ONLY, *map(str, pages)], env)
    inner, cpu = (float(x) for x in out.strip().splitlines()[-1].split())
    return {"run": "HTML: extraction only (in process)", "items": len(pages), "seconds": inner,
            "rate": len(pages) / inner, "cpu": cpu, "peak_mb": peak,
            "summary": f"whole process {seconds:.1f} s"}  # fmt: skip


def copy_pages(pages: list[Path], work: Path) -> Path:
    """The pages copied (still gzipped, as `vnnews import` reads them) into a folder of `work`."""
    html_dir = work / "html"
    html_dir.mkdir()
    for page in pages:
        (html_dir / page.name).write_bytes(page.read_bytes())
    return html_dir


def per_cpu_second(row: dict) -> float:
    return row["items"] / row["cpu"]


def ratio_pairs(pages: list[Path], pairs: int) -> int:
    """The HTML import/extraction speed ratio (2-worker import on SQLite, its start-up included,
    over extraction in one process, timed inside that process as in the main table) of `pairs`
    pairs of runs back to back, alternating which goes first, and their median: one pair's
    ratio moves by a fifth with the machine's load."""
    wall, cpu = [], []
    with tempfile.TemporaryDirectory(prefix="vnnews-bench-import-") as tmp:
        work = Path(tmp)
        html_dir = copy_pages(pages, work)
        for n in range(pairs):
            if n % 2 == 0:
                imported = import_run("import", [html_dir], len(pages), "", work, [])
                extracted = extract_run(pages, work)
            else:
                extracted = extract_run(pages, work)
                imported = import_run("import", [html_dir], len(pages), "", work, [])
            wall.append(imported["rate"] / extracted["rate"])
            cpu.append(per_cpu_second(imported) / per_cpu_second(extracted))
            print(
                f"pair {n + 1}: import {imported['rate']:.1f} pages/s, extraction "
                f"{extracted['rate']:.1f} pages/s: ratio {wall[-1]:.2f} (wall), {cpu[-1]:.2f} (CPU)",
                flush=True,
            )
    print(
        f"HTML {len(pages)} pages, SQLite, 2 workers: import/extraction speed, median of "
        f"{pairs} pairs = {statistics.median(wall):.2f} (wall), {statistics.median(cpu):.2f} (CPU)"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=50_000, help="JSONL records (default 50000)")
    parser.add_argument("--pages", type=int, default=0, help="HTML pages (default: all 711)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--scratch-db", default=PG_DB, help=f"PostgreSQL scratch database (default {PG_DB})"
    )
    parser.add_argument(
        "--no-single", action="store_true", help="skip the one-process (--workers 0) runs"
    )
    parser.add_argument(
        "--ratio-pairs",
        type=int,
        default=0,
        metavar="N",
        help="only the HTML import/extraction ratio on SQLite: N alternating pairs of runs, "
        "each pair's ratio and their median (a shared machine's speed drifts within minutes)",
    )
    args = parser.parse_args()
    if not WCXB.is_dir() or not (args.ratio_pairs or DANTRI.is_dir()):
        print(f"benchmark data not found under {SHARED}", file=sys.stderr)
        return 2
    pages = sorted(WCXB.glob("*.html.gz"))[: args.pages or None]
    if args.ratio_pairs:
        return ratio_pairs(pages, args.ratio_pairs)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="vnnews-bench-import-") as tmp:
        work = Path(tmp)
        jsonl = work / "dantri-x.jsonl"
        write_jsonl(jsonl, args.records)
        html_dir = copy_pages(pages, work)
        empty_dir = work / "empty"
        empty_dir.mkdir()
        startup: dict[str, dict] = {}
        databases = [("SQLite", "")]
        if not args.no_postgres:
            try:
                databases.append(
                    (
                        "PostgreSQL",
                        postgres_url(os.environ.get("DATABASE_URL", ""), args.scratch_db),
                    )
                )
            except Exception as exc:  # no server: say so and go on with SQLite
                print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        modes = [("2 workers", [])] + (
            [] if args.no_single else [("1 process", ["--workers", "0"])]
        )
        for name, url in databases:
            for mode, flags in modes:
                if url:
                    postgres_url(url, args.scratch_db)  # a fresh, empty database for each run
                rows.append(
                    import_run(f"JSONL {args.records} records, {name}, {mode}", [jsonl],
                               args.records, url, work, flags)
                )  # fmt: skip
                if url:
                    postgres_url(url, args.scratch_db)
                rows.append(
                    import_run(f"HTML {len(pages)} pages, {name}, {mode}", [html_dir],
                               len(pages), url, work, flags)
                )  # fmt: skip
                # The same command on an empty folder, twice (the lower figures: a shared machine
                # only adds): start-up and shut-down only (interpreter, Django, settings, the
                # database connection), which the extraction-only run has none of. Subtracted
                # only in a separate line below, never from the table.
                empty_runs = []
                for _ in range(2):
                    if url:
                        postgres_url(url, args.scratch_db)
                    empty_runs.append(import_run("start-up", [empty_dir], 0, url, work, flags))
                startup[rows[-1]["run"]] = {
                    "seconds": min(run["seconds"] for run in empty_runs),
                    "cpu": min(run["cpu"] for run in empty_runs),
                }
            if url:
                drop_postgres(url, args.scratch_db)
        rows.append(extract_run(pages, work))
    print()
    print(
        f"{'run':54} {'items':>7} {'seconds':>8} {'items/s':>8} {'CPU s':>7} {'items/CPU s':>11} {'peak MB':>8}"
    )
    for row in rows:
        print(
            f"{row['run']:54} {row['items']:>7} {row['seconds']:>8.1f} {row['rate']:>8.1f} "
            f"{row['cpu']:>7.1f} {per_cpu_second(row):>11.1f} {row['peak_mb']:>8.0f}"
        )
    for row in rows:
        if row.get("server_cpu") is not None:
            print(
                f"{row['run']}: the PostgreSQL server used {row['server_cpu']:.1f} CPU s more "
                "(all of it: other databases' work on that server counts too)"
            )
    print("(CPU s: user+system time of the import process and its workers, start-up included;")
    print(" items/CPU s is the rate if all of it ran on one core. The machine is shared, so wall")
    print(" time also counts waits. The extraction-only run is one process: the wall ratio of a")
    print(" '2 workers' import compares up to three processes with it, the CPU ratio does not.)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # Then every `vnnews import` compiles its modules from source (~0.07 s CPU on the dev
        # machine; an installed package has them compiled): counted, within its start-up, while
        # the extraction-only run compiles them before its clock starts.
        print("(PYTHONDONTWRITEBYTECODE is set: each import's start-up includes compiling the")
        print(
            " sources, which an installed vnnews does not do; the extraction timing excludes it.)"
        )
    extract_rate = rows[-1]["rate"]
    for row in rows[:-1]:
        if row["run"].startswith("HTML"):
            cpu_ratio = per_cpu_second(row) / per_cpu_second(rows[-1])
            print(
                f"{row['run']}: import/extraction speed = {row['rate'] / extract_rate:.2f} "
                f"(wall), {cpu_ratio:.2f} (CPU)"
            )
            # The same ratios without what an empty import costs (start-up; gunzipping the pages
            # in the main process is still counted): the raw figures are the line above.
            base = startup[row["run"]]
            seconds, cpu = row["seconds"] - base["seconds"], row["cpu"] - base["cpu"]
            if seconds > 0 and cpu > 0:
                print(
                    f"{'':>8}excluding start-up ({base['seconds']:.1f} s wall, "
                    f"{base['cpu']:.1f} s CPU on an empty folder): "
                    f"{row['items'] / seconds / extract_rate:.2f} (wall), "
                    f"{(row['items'] / cpu) / per_cpu_second(rows[-1]):.2f} (CPU)"
                )
    print()
    for row in rows:
        print(f"{row['run']}: {row['summary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
