"""The golden corpus: quality floors and per-page expectations that fail the run when
extraction gets worse (after trafilatura's tests/eval_gate.py).

- Every Vietnamese article page in ../shared/data/extraction: title, sapo, byline, authors,
  publish time, captions, snippets the body must and must not contain (tests/golden/vietnamese.json).
- WCXB dev articles: body F1 with the ScrapingHub article-extraction-benchmark metric
  (4-gram token shingles, per-page precision and recall, F1 of the means) above pinned floors
  (tests/golden/floors.json).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from vnnews.extract import ExtractionError, extract

GOLDEN = Path(__file__).parent / "golden"
PAGES = json.loads((GOLDEN / "vietnamese.json").read_text(encoding="utf-8"))["pages"]
FLOORS = json.loads((GOLDEN / "floors.json").read_text(encoding="utf-8"))
_TOKEN = re.compile(r"\w+")


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def shingle_precision_recall(truth: str, predicted: str) -> tuple[float, float]:
    """ScrapingHub's metric for one page: TP/FP/FN over 4-gram shingles."""
    a, b = _shingles(truth), _shingles(predicted)
    tp = sum((a & b).values())
    fp = sum((b - a).values())
    fn = sum((a - b).values())
    if tp + fp + fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def test_the_metric_scores_identical_text_one_and_disjoint_text_zero():
    text = "một hai ba bốn năm sáu bảy tám"
    assert shingle_precision_recall(text, text) == (1.0, 1.0)
    assert shingle_precision_recall(text, "chín mười mười một mười hai") == (0.0, 0.0)
    p, r = shingle_precision_recall(text, "một hai ba bốn năm")
    assert p == 1.0 and 0 < r < 1


@pytest.mark.parametrize("page", PAGES, ids=[Path(p["path"]).name for p in PAGES])
def test_vietnamese_pages_come_out_right(shared_data, page):
    article = extract(_read(shared_data / page["path"]), url=page["url"])
    assert article.title == page["title"]
    assert article.sapo.startswith(page["sapo_starts"]), article.sapo[:120]
    for snippet in page.get("sapo_not_contains", []):
        assert snippet not in article.sapo
    assert article.byline == page["byline"]
    assert article.authors == page["authors"]
    assert article.published is not None
    assert article.published.tzinfo is not None
    expected = datetime.fromisoformat(page["published"])
    assert article.published.replace(second=0, microsecond=0) == expected
    if "section" in page:
        assert article.section == page["section"]
    for caption in page["captions"]:
        assert caption in article.captions, f"caption missing: {caption}"
    for credit in page.get("credits", []):
        assert credit in [b.credit for b in article.images]
    for snippet in page["must_contain"]:
        assert snippet in article.text, f"body lacks: {snippet}"
    for snippet in page["must_not_contain"]:
        assert snippet not in article.text, f"body holds: {snippet}"
    # No caption ever leaks into the body text, and the title never opens it.
    for caption in article.captions:
        assert caption not in article.text, f"caption in body: {caption}"
    assert not article.text.startswith(article.title)


def test_wcxb_dev_articles_stay_above_the_pinned_f1_floor(shared_data):
    root = shared_data / "extraction" / "wcxb-dev-article"
    floors = FLOORS["wcxb-dev-article"]
    precisions, recalls, empty = [], [], 0
    for truth_file in sorted((root / "ground-truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        html = gzip.decompress((root / "html" / f"{truth_file.stem}.html.gz").read_bytes())
        try:
            article = extract(html, url=truth["url"])
            # The body as bench/bench_extract.py scores it: the lead, then the text.
            text = "\n".join(x for x in (article.sapo, article.text) if x)
        except ExtractionError:
            text = ""
        empty += not text
        p, r = shingle_precision_recall(truth["ground_truth"].get("main_content") or "", text)
        precisions.append(p)
        recalls.append(r)
    assert len(precisions) > 700
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall)
    summary = f"P={precision:.4f} R={recall:.4f} F1={f1:.4f} empty={empty}"
    assert f1 >= floors["f1"], summary
    assert precision >= floors["precision"], summary
    assert recall >= floors["recall"], summary
    assert empty <= floors["max_empty"], summary


def _fundus_pages(root: Path) -> list[tuple[Path, str, str]]:
    """(page, url, expected body) for every fundus page whose expectations line up: the body is
    the summary, section headlines and paragraphs, as bench/bench_extract.py reads it."""
    pages = []
    for expectation in sorted(root.glob("*/*.json")):
        folder = expectation.parent
        meta_path = folder / "meta.info"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        versions = json.loads(expectation.read_text(encoding="utf-8"))
        files = sorted(folder.glob(f"{expectation.stem}_*.html.gz"))
        if len(files) != len(versions):
            continue
        for path, truth in zip(files, versions.values(), strict=True):
            body = truth.get("body", {})
            parts = list(body.get("summary", []))
            for section in body.get("sections", []):
                parts += section.get("headline", []) + section.get("paragraphs", [])
            pages.append((path, meta.get(path.name, {}).get("url") or "", "\n".join(parts)))
    return pages


def test_fundus_news_pages_stay_above_the_pinned_f1_floor(shared_data):
    root = shared_data / "extraction" / "fundus" / "tests" / "resources" / "parser" / "test_data"
    floors = FLOORS["fundus"]
    pages = _fundus_pages(root)
    assert len(pages) > 200
    precisions, recalls = [], []
    for path, url, truth in pages:
        try:
            article = extract(gzip.decompress(path.read_bytes()), url=url or None)
            text = "\n".join(x for x in (article.sapo, article.text) if x)
        except ExtractionError:
            text = ""
        p, r = shingle_precision_recall(truth, text)
        precisions.append(p)
        recalls.append(r)
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall)
    summary = f"P={precision:.4f} R={recall:.4f} F1={f1:.4f}"
    assert f1 >= floors["f1"], summary
    assert precision >= floors["precision"], summary
    assert recall >= floors["recall"], summary
