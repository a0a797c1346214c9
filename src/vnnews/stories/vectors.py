"""TF-IDF vectors over 1–2-syllable n-grams of folded Vietnamese text, and cosine similarity.

Vietnamese writes one syllable per space-separated token and most words are one or two syllables
("Hà Nội", "máy bay"), so syllable unigrams plus bigrams approximate words without a segmenter and
run at hundreds of thousands of words a second. Folding (vnnews.text.fold) makes the features
insensitive to diacritics and tone-mark placement.

Vectors are sparse dicts {feature: weight}, L2-normalised, so cosine similarity is a dot product.
Pure Python: a few thousand documents index in well under a second, which is what the clustering
and related-article code need; no numpy dependency for the core.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import add, itemgetter, mul, not_, truediv

from vnnews.text import fold

_TOKEN = re.compile(r"[^\W_]+")
Vector = dict[str, float]

# Very common function syllables carry no topic; dropping them shrinks vectors and sharpens
# similarity. IDF would down-weight them anyway, but bigrams like "cua cac" would survive.
STOPWORDS = frozenset(
    [
        "va",
        "cua",
        "la",
        "co",
        "cac",
        "nhung",
        "mot",
        "trong",
        "cho",
        "voi",
        "duoc",
        "khong",
        "da",
        "se",
        "nay",
        "do",
        "thi",
        "tai",
        "ve",
        "den",
        "tu",
        "nguoi",
        "khi",
        "cung",
        "con",
        "nhu",
        "de",
        "lai",
        "ra",
        "vao",
        "theo",
        "tren",
        "sau",
        "truoc",
        "nam",
        "ngay",
        "thang",
        "nhieu",
        "rat",
        "hon",
        "bi",
        "boi",
        "cho",
        "nen",
        "neu",
        "vi",
        "ma",
        "hay",
        "hoac",
        "ong",
        "ba",
        "anh",
        "chi",
        "em",
        "toi",
        "chung",
        "ho",
        "no",
        "do",
        "day",
        "kia",
        "moi",
        "tung",
    ]
)


@dataclass(frozen=True)
class VectorOptions:
    """max_ngram: 2 means syllable unigrams and bigrams. min_df: drop features seen in fewer
    documents when fitting a collection (1 keeps all; raise it for very large collections)."""

    max_ngram: int = 2
    min_df: int = 1
    sublinear_tf: bool = True


DEFAULT_VECTOR_OPTIONS = VectorOptions()


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold(word)


def fold_words(text: str) -> str:
    """fold(text), word by word through a cache: the same result, since fold works within
    whitespace-separated words and collapses whitespace, but news vocabulary repeats so much that
    most words are folded once per process (fold's tone-mark pass costs ~25 µs a word)."""
    return " ".join(map(_fold_word, text.split()))


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(fold_words(text)) if not t.isdigit() or len(t) >= 3]


def weighted_text(title: str, text: str, title_weight: int, body_chars: int) -> str:
    """The text a document is compared by: the title `title_weight` times, then the lede."""
    return "\n".join([title] * title_weight + [text[:body_chars]])


def features(text: str, options: VectorOptions = DEFAULT_VECTOR_OPTIONS) -> Counter[str]:
    """Counts of syllable n-grams (n = 1..max_ngram); n-grams made only of stopwords are dropped.
    Counted in n-gram order, then text order (what the first of equal weights means)."""
    toks = tokens(text)
    # Every step in C (map, zip, compress, Counter's counting): the loop over n-grams in Python
    # was half of a story choice's cost of reading a new article.
    stop = list(map(STOPWORDS.__contains__, toks))
    counts: Counter[str] = Counter(compress(toks, map(not_, stop)))
    for n in range(2, options.max_ngram + 1):
        grams = map(" ".join, zip(*[toks[i:] for i in range(n)], strict=False))
        only_stopwords = map(all, zip(*[stop[i:] for i in range(n)], strict=False))
        counts.update(compress(grams, map(not_, only_stopwords)))
    return counts


def _normalise(vector: Vector) -> Vector:
    weights = vector.values()
    norm = math.sqrt(sum(map(mul, weights, weights)))
    if norm == 0:
        return {}
    return {f: w / norm for f, w in vector.items()}


class TfidfModel:
    """Document frequencies of a collection; turns texts into L2-normalised TF-IDF vectors."""

    def __init__(self, options: VectorOptions = DEFAULT_VECTOR_OPTIONS) -> None:
        self.options = options
        self.df: Counter[str] = Counter()
        self.n_docs = 0
        # idf per feature, computed once: vectors of a thousand documents share most features.
        # Cleared by fit(); whoever changes df or n_docs by hand must clear it too.
        self.idf_memo: dict[str, float] = {}

    def fit(self, counts: Iterable[Counter[str]]) -> TfidfModel:
        for c in counts:
            self.df.update(c.keys())
            self.n_docs += 1
        self.idf_memo.clear()
        return self

    def idf(self, feature: str) -> float:
        # Smoothed IDF (as in scikit-learn): a feature unseen in the collection gets the highest
        # weight rather than a division by zero.
        value = self.idf_memo.get(feature)
        if value is None:
            seen = self.df.get(feature, 0)
            value = math.log((1 + self.n_docs) / (1 + seen)) + 1.0
            if seen:  # the memo stays within the fitted vocabulary, whatever is asked later
                self.idf_memo[feature] = value
        return value

    def idfs(self, names: list[str]) -> list[float]:
        """[self.idf(f) for f in names]: the same floats, memoised alike (the features seen in
        the collection), but computed in C (map): story choice asks for ~250 an article."""
        seen = list(map(self.df.get, names, repeat(0)))
        values = list(self._idf_values(seen))
        self.idf_memo.update(compress(zip(names, values, strict=True), seen))
        return values

    def memoise_all(self) -> dict[str, float]:
        """Memoise every fitted feature's idf at once and return the memo: for building the
        vectors of a whole collection (story choice's candidates). The idf depends only on how
        many documents have the feature, so it is computed once per count (a few hundred
        counts for ~100,000 features) and the features share those floats."""
        seen = set(self.df.values())
        by_seen = dict(zip(seen, self._idf_values(seen), strict=True))
        self.idf_memo.update(zip(self.df, map(by_seen.__getitem__, self.df.values()), strict=True))
        return self.idf_memo

    def _idf_values(self, seen: Iterable[int]) -> Iterator[float]:
        """idf() of features seen in these many documents: log(docs / (1 + seen)) + 1.0."""
        ratios = map(truediv, repeat(1 + self.n_docs), map(add, seen, repeat(1)))
        return map(add, map(math.log, ratios), repeat(1.0))

    def vector(self, counts: Counter[str]) -> Vector:
        out: Vector = {}
        min_df, sublinear = self.options.min_df, self.options.sublinear_tf
        memo, df, log = self.idf_memo, self.df, math.log
        docs = 1 + self.n_docs
        for f, tf in counts.items():
            if min_df > 1 and df.get(f, 0) < min_df:
                continue
            weight = 1.0 + log(tf) if sublinear else float(tf)
            idf = memo.get(f)
            if idf is None:  # self.idf(f) inlined (the same float): this loop is story choice's
                seen = df.get(f, 0)  # costliest step once the candidates are found
                idf = log(docs / (1 + seen)) + 1.0
                if seen:
                    memo[f] = idf
            out[f] = weight * idf
        return _normalise(out)

    def truncated_vector(self, counts: Counter[str], keep: int) -> Vector:
        """truncate(self.vector(counts), keep), up to rounding: the same features (the heaviest,
        the first of equals as counted), normalised once instead of twice. Story choice builds
        one per candidate and generation, so it is written for speed: the lookups and products
        run in C (map), and Python touches only the kept features."""
        if self.options.min_df > 1 or not self.options.sublinear_tf:
            return truncate(self.vector(counts), keep)
        names = list(counts)
        idfs = list(map(self.idf_memo.get, names))
        if None in idfs:
            idfs = self.idfs(names)
        weights = list(map(mul, tf_weights(counts), idfs))
        kept = heaviest(weights, keep)
        if kept is not None:
            names = [names[i] for i in kept]
            weights = [weights[i] for i in kept]
        return unit_vector(names, weights)


def tf_weights(counts: Counter[str]) -> list[float]:
    """1 + log(tf) (sublinear term frequency) of each feature, in the counts' order."""
    tfs = counts.values()
    top = max(tfs, default=0)
    if top >= len(_TF_WEIGHTS):
        _TF_WEIGHTS.extend(1.0 + math.log(tf) for tf in range(len(_TF_WEIGHTS), top + 1))
    return list(map(_TF_WEIGHTS.__getitem__, tfs))


def heaviest(weights: list[float], keep: int) -> list[int] | None:
    """Positions of the `keep` heaviest weights, heaviest first and the first of equals first
    (sorted() is stable with reverse=True too); None when all are kept."""
    if len(weights) <= keep:
        return None
    return sorted(range(len(weights)), key=weights.__getitem__, reverse=True)[:keep]


def l2_norm(weights: list[float]) -> float:
    """|weights|, summed in their order (the same float wherever a vector is built)."""
    return math.sqrt(sum(map(mul, weights, weights)))


def unit_vector(names: list[str], weights: list[float]) -> Vector:
    """{name: weight / |weights|}; empty when every weight is 0."""
    norm = l2_norm(weights)
    if norm == 0:
        return {}
    return dict(zip(names, [w / norm for w in weights], strict=True))


# 1 + log(tf) (sublinear term frequency) by tf, grown on demand; index 0 is never used.
_TF_WEIGHTS: list[float] = [0.0, 1.0]


def fit_transform(
    texts: Sequence[str], options: VectorOptions = DEFAULT_VECTOR_OPTIONS
) -> tuple[TfidfModel, list[Vector]]:
    """Fit IDF on `texts` and return the model with one vector per text."""
    counts = [features(t, options) for t in texts]
    model = TfidfModel(options).fit(counts)
    return model, [model.vector(c) for c in counts]


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two L2-normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    # The same products summed in the same order as sum(w * b.get(f, 0.0) for ...), so the
    # same float, but looked up and multiplied in C: ~3x faster than the generator.
    return sum(map(mul, a.values(), map(b.get, a, repeat(0.0))))


def add_into(total: Vector, vector: Vector, scale: float = 1.0) -> None:
    for f, w in vector.items():
        total[f] = total.get(f, 0.0) + w * scale


def centroid(vectors: Iterable[Vector]) -> Vector:
    total: Vector = {}
    for v in vectors:
        add_into(total, v)
    return _normalise(total)


def truncate(vector: Vector, keep: int) -> Vector:
    """Keep the `keep` heaviest features (renormalised): smaller vectors, faster dot products,
    and little loss, since the tail of a TF-IDF vector is many rare single occurrences."""
    if len(vector) <= keep:
        return vector
    top = sorted(vector.items(), key=itemgetter(1), reverse=True)[:keep]
    return _normalise(dict(top))
