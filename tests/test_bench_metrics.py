"""The benchmark's body metric (bench/metrics.py): ScrapingHub 4-gram shingles, hand-checked."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "metrics.py"
_SPEC = importlib.util.spec_from_file_location("bench_metrics", _PATH)
metrics = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_metrics"] = metrics  # dataclasses look their module up there
_SPEC.loader.exec_module(metrics)


def test_tokens_are_lower_case_words_without_punctuation():
    assert metrics.tokens("Hà Nội, sáng 01/8: “Đại hội”!") == [
        "hà",
        "nội",
        "sáng",
        "01",
        "8",
        "đại",
        "hội",
    ]
    # NFD input gives the same tokens as NFC
    assert metrics.tokens("Ha\u0300 No\u0323\u0302i") == ["hà", "nội"]


def test_shingles_are_a_multiset_of_four_token_windows():
    assert metrics.shingles(["a", "b", "c", "d", "e"]) == {
        ("a", "b", "c", "d"): 1,
        ("b", "c", "d", "e"): 1,
    }
    assert metrics.shingles(["a", "b", "c", "d"] * 2)[("a", "b", "c", "d")] == 2
    assert metrics.shingles(["a", "b"]) == {("a", "b"): 1}  # short text: one shingle
    assert metrics.shingles([]) == {}


def test_identical_texts_score_one():
    score = metrics.page_score("một hai ba bốn năm sáu", "Một, hai; ba bốn năm sáu.")
    assert (score.precision, score.recall) == (1.0, 1.0)
    assert (score.tp, score.fp, score.fn) == (1.0, 0.0, 0.0)


def test_extra_text_lowers_precision_and_missing_text_lowers_recall():
    truth = "a b c d e f"  # shingles abcd bcde cdef
    # prediction has the truth plus "g h": shingles abcd bcde cdef defg efgh -> tp 3, fp 2
    more = metrics.page_score("a b c d e f g h", truth)
    assert more.precision == pytest.approx(3 / 5) and more.recall == 1.0
    assert (more.tp, more.fp, more.fn) == pytest.approx((3 / 5, 2 / 5, 0.0))
    # prediction "a b c d e" -> shingles abcd bcde: tp 2, fn 1
    less = metrics.page_score("a b c d e", truth)
    assert less.precision == 1.0 and less.recall == pytest.approx(2 / 3)
    assert less.tp + less.fp + less.fn == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("predicted", "expected", "precision", "recall"),
    [("", "", 1.0, 1.0), ("", "a b c d", 0.0, 0.0), ("a b c d", "", 0.0, 1.0)],
    ids=["both empty", "nothing extracted", "nothing expected"],
)
def test_empty_texts(predicted, expected, precision, recall):
    score = metrics.page_score(predicted, expected)
    assert (score.precision, score.recall) == (precision, recall)


def test_summary_is_f1_of_mean_precision_and_mean_recall():
    scores = [
        metrics.page_score("a b c d e f g h", "a b c d e f"),
        metrics.page_score("a b c d e", "a b c d e f"),
    ]
    summary = metrics.summarise(scores)
    p = (3 / 5 + 1.0) / 2
    r = (1.0 + 2 / 3) / 2
    assert summary.precision == pytest.approx(p) and summary.recall == pytest.approx(r)
    assert summary.f1 == pytest.approx(2 * p * r / (p + r))
    assert summary.pages == 2
    # not the mean of per-page F1s
    per_page = [2 * s.precision * s.recall / (s.precision + s.recall) for s in scores]
    assert summary.f1 != pytest.approx(sum(per_page) / 2)
    assert metrics.summarise([]).f1 == 0.0


def test_repeated_text_is_not_rewarded():
    once = metrics.page_score("a b c d", "a b c d")
    twice = metrics.page_score("a b c d a b c d", "a b c d")
    assert twice.precision < once.precision


_BENCH_PATH = _PATH.parent / "bench_extract.py"
_BENCH_SPEC = importlib.util.spec_from_file_location("bench_extract_harness", _BENCH_PATH)
bench = importlib.util.module_from_spec(_BENCH_SPEC)
sys.modules["bench_extract_harness"] = bench
_BENCH_SPEC.loader.exec_module(bench)


def test_field_accuracy_compares_title_authors_minute_and_sapo():
    pages = [
        {
            "dataset": "fundus",
            "id": "a",
            "title": "Giá xăng giảm",
            "authors": ["Lê Phương"],
            "date": "2025-10-22 12:25:52+00:00",
            "sapo": "Người đàn ông 63 tuổi đau bụng kéo dài, bác sĩ chẩn đoán ung thư.",
        },
        {"dataset": "fundus", "id": "b", "title": "Other", "authors": [], "date": None, "sapo": ""},
        {"dataset": "wcxb", "id": "c", "body": "ignored for fields"},
    ]
    results = {
        "a": {
            "title": "Giá  xăng giảm",  # spacing does not matter
            "authors": ["lê phương"],  # nor case
            "date": "2025-10-22T19:25:10+07:00",  # same minute in another zone
            "sapo": "Người đàn ông 63 tuổi đau bụng kéo dài, bác sĩ chẩn đoán ung thư.",
        },
        "b": {"title": "Another", "authors": ["Someone"], "date": "2025-01-01", "sapo": "x"},
    }
    scores = bench.field_scores(pages, results)
    assert scores["title"] == 0.5
    assert scores["authors"] == 0.5
    assert scores["date (minute)"] == 1.0 and scores["date (day)"] == 1.0  # only page a has a date
    assert scores["sapo"] == 0.5


def test_fundus_expectations_are_paired_with_the_right_pages(shared_data):
    pages = [p for p in bench.load_pages(None) if p["dataset"] == "fundus"]
    if not pages:
        pytest.skip("fundus data not found")
    import gzip
    import html

    found = 0
    for page in pages:
        raw = html.unescape(
            gzip.decompress(Path(page["path"]).read_bytes()).decode("utf-8", "replace")
        )
        found += page["title"][:30] in raw
    assert found >= 0.95 * len(pages)
    vn = [p for p in pages if p["id"].startswith("vn/")]
    assert vn and vn[0]["authors"] == ["Lê Phương"] and vn[0]["sapo"]
