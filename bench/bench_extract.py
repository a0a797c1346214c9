"""Extraction benchmark: vnnews against the open extractors on WCXB dev articles and fundus.

    make bench-extract                      # everything (takes a while on 2 cores)
    .venv/bin/python bench/bench_extract.py --limit 100 --only vnnews,trafilatura

Each extractor runs in its own subprocess, one after the other (so they do not compete for the
CPU, and the peak resident memory from getrusage(ru_maxrss) is that extractor's alone). The
parent scores the texts with bench/metrics.py (ScrapingHub shingle metric) and prints one table:
body F1 / precision / recall per data set, pages per second of extraction time (reading and
gunzipping the files is not timed), peak memory, and the vnnews/trafilatura ratios; then field
accuracy on fundus for vnnews and trafilatura (title exact, authors, date to the minute and to
the day, sapo).

Data (read-only, from ../shared/data/extraction):
- wcxb-dev-article: html/NNNN.html.gz + ground-truth/NNNN.json (`ground_truth.main_content`)
- fundus: tests/resources/parser/test_data/<country>/<Publisher>_<date>.html.gz with
  <Publisher>.json holding one expectation per parser version ("V1", "V1_1", ...) in date order,
  and meta.info giving each file's URL. The expected body is the summary, the section headlines
  and the paragraphs; the summary is also the expected sapo.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import page_score, summarise, text_similarity  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VNNEWS_SHARED_DIR", ROOT.parent / "shared")) / "data" / "extraction"
WCXB = DATA / "wcxb-dev-article"
FUNDUS = DATA / "fundus" / "tests" / "resources" / "parser" / "test_data"
EXTRACTORS = [
    "vnnews",
    "trafilatura",
    "trafilatura-precision",
    "readability",
    "justext",
    "boilerpy3",
    "goose3",
    "resiliparse",
]
FIELD_EXTRACTORS = {"vnnews", "trafilatura"}
# justext needs a stop-word list per language; the page's lang attribute picks it.
JUSTEXT_LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian",
    "tr": "Turkish", "vi": "Vietnamese", "sv": "Swedish", "da": "Danish", "no": "Norwegian_Bokmal",
    "nb": "Norwegian_Bokmal", "fi": "Finnish", "cs": "Czech", "hu": "Hungarian", "id": "Indonesian",
    "ro": "Romanian", "el": "Greek", "ko": "Korean", "hi": "Hindi", "ar": "Arabic", "he": "Hebrew",
    "fa": "Persian", "bg": "Bulgarian", "hr": "Croatian", "sr": "Serbian", "sk": "Slovak",
    "sl": "Slovenian", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "ms": "Malay",
    "ca": "Catalan", "is": "Icelandic", "ta": "Tamil", "bn": "Bengali", "ur": "Urdu",
}  # fmt: skip
_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([a-zA-Z]{2})", re.I)


# --- data ---------------------------------------------------------------------------------------


def load_pages(limit: int | None) -> list[dict]:
    """Page descriptors (no HTML): dataset, id, path, url, and the expectations."""
    pages: list[dict] = []
    if WCXB.is_dir():
        for path in sorted((WCXB / "html").glob("*.html.gz")):
            truth_path = WCXB / "ground-truth" / (path.name.removesuffix(".html.gz") + ".json")
            if not truth_path.is_file():
                continue
            record = json.loads(truth_path.read_text(encoding="utf-8"))
            truth = record.get("ground_truth", {})
            pages.append(
                {
                    "dataset": "wcxb",
                    "id": path.name,
                    "path": str(path),
                    "url": record.get("url"),
                    "body": truth.get("main_content") or "",
                }
            )
    if FUNDUS.is_dir():
        for expectation in sorted(FUNDUS.glob("*/*.json")):
            publisher = expectation.stem
            folder = expectation.parent
            meta_path = folder / "meta.info"
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
            versions = json.loads(expectation.read_text(encoding="utf-8"))
            files = sorted(folder.glob(f"{publisher}_*.html.gz"))
            if len(files) != len(versions):
                print(
                    f"skip {expectation}: {len(files)} pages, {len(versions)} versions",
                    file=sys.stderr,
                )
                continue
            for path, truth in zip(files, versions.values(), strict=True):
                body = truth.get("body", {})
                parts = list(body.get("summary", []))
                for section in body.get("sections", []):
                    parts += section.get("headline", []) + section.get("paragraphs", [])
                pages.append(
                    {
                        "dataset": "fundus",
                        "id": f"{folder.name}/{path.name}",
                        "path": str(path),
                        "url": meta.get(path.name, {}).get("url"),
                        "body": "\n".join(parts),
                        "title": truth.get("title"),
                        "authors": truth.get("authors"),
                        "date": truth.get("publishing_date"),
                        "sapo": "\n".join(body.get("summary", [])),
                    }
                )
    if limit:
        # A limit takes the same share of both sets, so a sample still covers both.
        wcxb = [p for p in pages if p["dataset"] == "wcxb"]
        fundus = [p for p in pages if p["dataset"] == "fundus"]
        share = limit / max(1, len(pages))
        pages = (
            wcxb[: max(1, round(len(wcxb) * share))] + fundus[: max(1, round(len(fundus) * share))]
        )
    return pages


# --- extractors (run inside the worker process) ------------------------------------------------


def _html_to_text(markup: str) -> str:
    import lxml.html

    if not markup or not markup.strip():
        return ""
    tree = lxml.html.fromstring(markup)
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = []
    for node in tree.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "pre", "blockquote"):
        text = " ".join(node.text_content().split())
        if text:
            blocks.append(text)
    return "\n".join(blocks) if blocks else " ".join(tree.text_content().split())


def make_extractor(name: str):
    """A function (html_bytes, html_text, url) -> dict(text=..., [title, authors, date, sapo])."""
    if name == "vnnews":
        from vnnews.extract import extract

        def run(data, text, url):
            article = extract(data, url=url)
            body = "\n".join(x for x in (article.sapo, article.text) if x)
            return {
                "text": body,
                "title": article.title,
                "authors": article.authors,
                "date": article.published.isoformat() if article.published else None,
                "sapo": article.sapo,
            }

        return run
    if name in ("trafilatura", "trafilatura-precision"):
        import trafilatura

        precision = name.endswith("precision")

        def run(data, text, url):
            return {"text": trafilatura.extract(text, url=url, favor_precision=precision) or ""}

        return run
    if name == "readability":
        from readability import Document

        return lambda data, text, url: {
            "text": _html_to_text(Document(text).summary(html_partial=True))
        }
    if name == "justext":
        import justext

        stoplists = {}

        def run(data, text, url):
            m = _LANG.search(data[:20000])
            language = JUSTEXT_LANGUAGES.get(m.group(1).decode().lower() if m else "en", "English")
            if language not in stoplists:
                stoplists[language] = justext.get_stoplist(language)
            paragraphs = justext.justext(data, stoplists[language])
            return {"text": "\n".join(p.text for p in paragraphs if not p.is_boilerplate)}

        return run
    if name == "boilerpy3":
        from boilerpy3 import extractors

        extractor = extractors.ArticleExtractor(raise_on_failure=False)
        return lambda data, text, url: {"text": extractor.get_content(text) or ""}
    if name == "goose3":
        from goose3 import Goose

        goose = Goose({"enable_image_fetching": False, "http_timeout": 0.01})
        return lambda data, text, url: {
            "text": goose.extract(raw_html=text, url=url).cleaned_text or ""
        }
    if name == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        return lambda data, text, url: {
            "text": extract_plain_text(HTMLTree.parse(text), main_content=True) or ""
        }
    raise SystemExit(f"unknown extractor {name!r}; choose from {', '.join(EXTRACTORS)}")


def trafilatura_fields(text: str, url: str | None) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(text, url=url, with_metadata=True)
    if doc is None:
        return {}
    authors = [a.strip() for a in re.split(r";|,|\band\b", doc.author or "") if a.strip()]
    return {"title": doc.title, "authors": authors, "date": doc.date, "sapo": doc.description}


def worker(name: str, limit: int | None) -> None:
    """Run one extractor over every page; print one JSON document on stdout."""
    import logging

    logging.disable(logging.CRITICAL)  # peers log every failure; the table says enough
    pages = load_pages(limit)
    run = make_extractor(name)
    results, seconds, errors = [], 0.0, 0
    for page in pages:
        data = gzip.decompress(Path(page["path"]).read_bytes())
        text = data.decode("utf-8", errors="replace")
        start = time.perf_counter()
        try:
            out = run(data, text, page["url"])
        except Exception as error:  # a peer's crash is a data point, not the end of the run
            out = {"text": "", "error": f"{type(error).__name__}: {error}"[:200]}
            errors += 1
        seconds += time.perf_counter() - start
        results.append({"id": page["id"], **out})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if name == "trafilatura":
        # Metadata for the field table, outside the timed body pass and after the memory reading.
        by_id = {r["id"]: r for r in results}
        for page in pages:
            if page["dataset"] == "fundus":
                html = gzip.decompress(Path(page["path"]).read_bytes()).decode("utf-8", "replace")
                with contextlib.suppress(Exception):  # no metadata is a miss in the table
                    by_id[page["id"]].update(trafilatura_fields(html, page["url"]))
    json.dump(
        {
            "name": name,
            "seconds": seconds,
            "peak_mb": peak_mb,
            "errors": errors,
            "results": results,
        },
        sys.stdout,
        ensure_ascii=False,
    )


# --- scoring and the table ----------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when


def field_scores(pages: list[dict], results: dict[str, dict]) -> dict[str, float]:
    counts = {
        "title": [0, 0],
        "authors": [0, 0],
        "date (minute)": [0, 0],
        "date (day)": [0, 0],
        "sapo": [0, 0],
    }
    for page in pages:
        if page["dataset"] != "fundus":
            continue
        got = results.get(page["id"], {})
        counts["title"][1] += 1
        counts["title"][0] += _norm(got.get("title")) == _norm(page["title"])
        if page.get("authors") is not None:
            counts["authors"][1] += 1
            expected = {_norm(a) for a in page["authors"]}
            counts["authors"][0] += {_norm(a) for a in got.get("authors") or []} == expected
        truth, seen = _when(page.get("date")), _when(got.get("date"))
        if truth is not None:
            counts["date (minute)"][1] += 1
            counts["date (day)"][1] += 1
            if seen is not None:
                aware = truth.tzinfo is not None and seen.tzinfo is not None
                a = truth if aware else truth.replace(tzinfo=None)
                b = seen if aware else seen.replace(tzinfo=None)
                counts["date (minute)"][0] += a.replace(second=0, microsecond=0) == b.replace(
                    second=0, microsecond=0
                )
                counts["date (day)"][0] += truth.date() == seen.date()
        counts["sapo"][1] += 1
        want, have = page.get("sapo") or "", got.get("sapo") or ""
        counts["sapo"][0] += (not want and not have) or (
            bool(want) and bool(have) and text_similarity(have, want) >= 0.8
        )
    return {key: (ok / total if total else 0.0) for key, (ok, total) in counts.items()}


def run_worker(name: str, limit: int | None) -> dict:
    command = [sys.executable, __file__, "--worker", name]
    if limit:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        print(f"{name}: worker failed ({done.returncode}): {' | '.join(tail)}", file=sys.stderr)
        return {}
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--limit", type=int, help="only about this many pages (same share of each set)"
    )
    parser.add_argument("--only", help="comma-separated extractors: " + ",".join(EXTRACTORS))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the raw numbers to this file")
    parser.add_argument(
        "--worst", type=int, default=0, help="list the N pages where vnnews trails trafilatura most"
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.limit)
        return 0
    pages = load_pages(args.limit)
    if not pages:
        print(f"no benchmark data under {DATA}", file=sys.stderr)
        return 1
    names = [n.strip() for n in args.only.split(",")] if args.only else EXTRACTORS
    for name in names:
        if name not in EXTRACTORS:
            parser.error(f"unknown extractor {name!r}")
    datasets = sorted({p["dataset"] for p in pages}, reverse=True)
    print(
        f"pages: {len(pages)} ("
        + ", ".join(f"{d} {sum(p['dataset'] == d for p in pages)}" for d in datasets)
        + ")",
        flush=True,
    )
    rows: dict[str, dict] = {}
    for name in names:
        started = time.perf_counter()
        out = run_worker(name, args.limit)
        if not out:
            continue
        results = {r["id"]: r for r in out["results"]}
        row = {
            "pages_per_s": len(out["results"]) / out["seconds"] if out["seconds"] else 0.0,
            "peak_mb": out["peak_mb"],
            "errors": out["errors"],
            "results": results,
        }
        every = []
        for dataset in datasets:
            scores = [
                page_score(results.get(p["id"], {}).get("text", ""), p["body"])
                for p in pages
                if p["dataset"] == dataset
            ]
            every += scores
            row[dataset] = summarise(scores)
        row["all"] = summarise(every)
        rows[name] = row
        print(
            f"  {name}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True
        )

    print_table(rows, datasets)
    if args.worst and "vnnews" in rows and "trafilatura" in rows:
        print_worst(pages, rows, args.worst)
    fields = {
        name: field_scores(pages, rows[name]["results"])
        for name in rows
        if name in FIELD_EXTRACTORS
    }
    if fields and "fundus" in datasets:
        print_fields(fields)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    name: {
                        k: (v.__dict__ if hasattr(v, "__dict__") else v)
                        for k, v in row.items()
                        if k != "results"
                    }
                    for name, row in rows.items()
                }
                | {"fields": fields},
                indent=2,
            )
        )
    return 0


def print_table(rows: dict[str, dict], datasets: list[str]) -> None:
    head = ["extractor"]
    for d in [*datasets, "all"]:
        head += [f"{d} F1", "P", "R"]
    head += ["pages/s", "peak MB", "errors"]
    lines = [head]
    for name, row in rows.items():
        line = [name]
        for d in [*datasets, "all"]:
            s = row[d]
            line += [f"{s.f1:.3f}", f"{s.precision:.3f}", f"{s.recall:.3f}"]
        line += [f"{row['pages_per_s']:.1f}", f"{row['peak_mb']:.0f}", str(row["errors"])]
        lines.append(line)
    if "vnnews" in rows and "trafilatura" in rows:
        ours, theirs = rows["vnnews"], rows["trafilatura"]
        line = ["vnnews/trafilatura"]
        for d in [*datasets, "all"]:
            line += [f"{ours[d].f1 - theirs[d].f1:+.3f}", f"{ours[d].precision - theirs[d].precision:+.3f}",
                     f"{ours[d].recall - theirs[d].recall:+.3f}"]  # fmt: skip
        speed = ours["pages_per_s"] / theirs["pages_per_s"] if theirs["pages_per_s"] else 0.0
        memory = ours["peak_mb"] / theirs["peak_mb"] if theirs["peak_mb"] else 0.0
        line += [f"{speed:.2f}x", f"{memory:.2f}x", ""]
        lines.append(line)
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    print()
    print(
        "Body text (ScrapingHub 4-gram shingle metric; ratio row: F1/P/R differences, speed and memory ratios)"
    )
    for i, r in enumerate(lines):
        print(
            "  ".join(
                c.rjust(w) if j else c.ljust(w)
                for j, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _f1(predicted: str, expected: str) -> float:
    score = page_score(predicted, expected)
    p, r = score.precision, score.recall
    return 2 * p * r / (p + r) if p + r else 0.0


def print_worst(pages: list[dict], rows: dict[str, dict], count: int) -> None:
    """Where to look next: pages with the largest F1 gap, with vnnews's P/R to say why."""
    gaps = []
    for page in pages:
        ours = rows["vnnews"]["results"].get(page["id"], {})
        theirs = rows["trafilatura"]["results"].get(page["id"], {})
        score = page_score(ours.get("text", ""), page["body"])
        gap = _f1(theirs.get("text", ""), page["body"]) - _f1(ours.get("text", ""), page["body"])
        gaps.append((gap, page["id"], score, ours.get("error", "")))
    gaps.sort(reverse=True)
    print()
    print("Pages where vnnews trails trafilatura most (F1 gap; vnnews P/R; error)")
    for gap, page_id, score, error in gaps[:count]:
        print(f"  {gap:+.3f}  {page_id:45}  P {score.precision:.2f}  R {score.recall:.2f}  {error}")


def print_fields(fields: dict[str, dict[str, float]]) -> None:
    keys = list(next(iter(fields.values())))
    print()
    print(
        "Field accuracy on fundus (title exact, author set, date to the minute / day, sapo F1 >= 0.8)"
    )
    print("extractor".ljust(12) + "".join(k.rjust(15) for k in keys))
    for name, values in fields.items():
        print(name.ljust(12) + "".join(f"{values[k]:.3f}".rjust(15) for k in keys))


if __name__ == "__main__":
    raise SystemExit(main())
