"""Related documents: the top-k most similar documents of a collection by TF-IDF cosine.

An inverted index (feature -> documents holding it, with weights) makes a query cost only the
postings of its features, so a query against a few thousand recent articles takes milliseconds.
Each document keeps only its heaviest features (vectors.truncate): related-article lists are about
topic, which the heaviest features carry.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass

from vnnews.stories.vectors import (
    DEFAULT_VECTOR_OPTIONS,
    TfidfModel,
    Vector,
    VectorOptions,
    features,
    truncate,
    weighted_text,
)


@dataclass(frozen=True)
class RelatedOptions:
    """title_weight: times the title is counted; body_chars: how much of the text is used;
    max_features: features kept per document; min_score: weaker matches are not "related"."""

    title_weight: int = 2
    body_chars: int = 1000
    max_features: int = 60
    min_score: float = 0.05
    vector: VectorOptions = DEFAULT_VECTOR_OPTIONS


DEFAULT_RELATED_OPTIONS = RelatedOptions()


@dataclass(frozen=True)
class RelatedDocument:
    key: Hashable
    title: str
    text: str = ""


class RelatedIndex:
    """Build once over a collection, then ask `similar(key)` or `similar_to_text(...)`."""

    def __init__(
        self,
        docs: Iterable[RelatedDocument],
        options: RelatedOptions = DEFAULT_RELATED_OPTIONS,
    ) -> None:
        self.options = options
        docs = list(docs)
        counts = [features(self._text(d.title, d.text), options.vector) for d in docs]
        self.model = TfidfModel(options.vector).fit(counts)
        self.vectors: dict[Hashable, Vector] = {}
        self.postings: dict[str, list[tuple[Hashable, float]]] = {}
        for doc, c in zip(docs, counts, strict=True):
            vector = truncate(self.model.vector(c), options.max_features)
            self.vectors[doc.key] = vector
            for f, w in vector.items():
                self.postings.setdefault(f, []).append((doc.key, w))

    def __len__(self) -> int:
        return len(self.vectors)

    def __contains__(self, key: object) -> bool:
        return key in self.vectors

    def _text(self, title: str, text: str) -> str:
        return weighted_text(title, text, self.options.title_weight, self.options.body_chars)

    def vector_for(self, title: str, text: str = "") -> Vector:
        counts = features(self._text(title, text), self.options.vector)
        return truncate(self.model.vector(counts), self.options.max_features)

    def similar_to_vector(
        self, vector: Vector, k: int = 6, exclude: Collection[Hashable] = ()
    ) -> list[tuple[Hashable, float]]:
        scores: dict[Hashable, float] = {}
        for f, w in vector.items():
            for key, weight in self.postings.get(f, ()):
                scores[key] = scores.get(key, 0.0) + w * weight
        candidates = (
            (key, score)
            for key, score in scores.items()
            if score >= self.options.min_score and key not in exclude
        )
        return heapq.nlargest(k, candidates, key=lambda pair: pair[1])

    def similar(
        self, key: Hashable, k: int = 6, exclude: Collection[Hashable] = ()
    ) -> list[tuple[Hashable, float]]:
        """Top `k` (key, cosine) pairs most similar to the indexed document `key`, itself
        excluded. An unknown key gives an empty list."""
        vector = self.vectors.get(key)
        if not vector:
            return []
        return self.similar_to_vector(vector, k, exclude={key, *exclude})

    def similar_to_text(
        self, title: str, text: str = "", k: int = 6, exclude: Collection[Hashable] = ()
    ) -> list[tuple[Hashable, float]]:
        return self.similar_to_vector(self.vector_for(title, text), k, exclude)
