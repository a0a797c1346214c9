"""Body-text metric of the ScrapingHub article-extraction benchmark, as issue 2 specifies it.

Both texts become lower-case word tokens (NFC, Unicode word characters, so Vietnamese syllables
are tokens and punctuation/whitespace differences do not count), then multisets of 4-token
shingles. Per page: TP = shingles in both (with multiplicity), FP = predicted only, FN = expected
only; the three are normalised to sum to 1 (which leaves P = TP/(TP+FP) and R = TP/(TP+FN)
unchanged). Over a set of pages: mean precision and mean recall, and F1 from those two means.

Edge cases, decided here once: a page where both texts are empty scores P = R = 1; an empty
prediction for a non-empty truth scores P = R = 0; a non-empty prediction for an empty truth scores
P = 0, R = 1. A text shorter than the shingle size is one shingle of all its tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 4
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text or "").lower())


def shingles(words: list[str], n: int = SHINGLE) -> Counter:
    if not words:
        return Counter()
    if len(words) < n:
        return Counter([tuple(words)])
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class PageScore:
    tp: float  # normalised so that tp + fp + fn == 1 (or all 0 for empty/empty)
    fp: float
    fn: float
    precision: float
    recall: float


def page_score(predicted: str, expected: str, n: int = SHINGLE) -> PageScore:
    pred = shingles(tokens(predicted), n)
    true = shingles(tokens(expected), n)
    if not pred and not true:
        return PageScore(0.0, 0.0, 0.0, 1.0, 1.0)
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    total = tp + fp + fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return PageScore(tp / total, fp / total, fn / total, precision, recall)


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    f1: float
    pages: int


def summarise(scores: Iterable[PageScore]) -> Summary:
    scores = list(scores)
    if not scores:
        return Summary(0.0, 0.0, 0.0, 0)
    precision = sum(s.precision for s in scores) / len(scores)
    recall = sum(s.recall for s in scores) / len(scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Summary(precision, recall, f1, len(scores))


def text_similarity(a: str, b: str) -> float:
    """F1 of one pair (used for "is this the sapo" checks)."""
    score = page_score(a, b)
    p, r = score.precision, score.recall
    return 2 * p * r / (p + r) if p + r else 0.0
