"""Story clustering: group the coverage of one event across outlets.

Each document becomes a TF-IDF vector (vnnews.stories.vectors) of its folded title, sapo and body,
with the title repeated because a headline names the event more precisely than any body sentence.
Documents are taken in time order; each joins the open story whose centroid it is most similar to
(cosine >= threshold) among stories active within the time window, or starts a new one. This is
the same step the site runs when one new article arrives, so offline evaluation measures exactly
what production does.

Centroid linkage avoids the chaining of single linkage (A~B, B~C, so A and C merge although they
share nothing), and the time window keeps "flood in the central provinces" of 2020 apart from the
one of 2021.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
class ClusterOptions:
    """threshold: cosine to a story centroid needed to join it (tuned on vims-dev, see
    tests/test_stories.py). window: a story stays open this long after its latest article.
    title_weight: how many times the title is counted. body_chars: only the start of the body is
    used (the lede names the event; long bodies drift into background). max_features: vectors
    are cut to their heaviest features for speed."""

    threshold: float = 0.15
    window: timedelta = timedelta(days=3)
    title_weight: int = 3
    body_chars: int = 800
    max_features: int = 200
    vector: VectorOptions = DEFAULT_VECTOR_OPTIONS


DEFAULT_CLUSTER_OPTIONS = ClusterOptions()


@dataclass(frozen=True)
class StoryDocument:
    key: Hashable
    title: str
    text: str = ""  # sapo and body
    published: datetime | None = None


def document_text(title: str, text: str, options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS) -> str:
    """The text a document is compared by: the title `title_weight` times, then the lede."""
    return weighted_text(title, text, options.title_weight, options.body_chars)


@dataclass
class _Story:
    id: int
    members: list[Hashable] = field(default_factory=list)
    total: Vector = field(default_factory=dict)
    norm: float = 0.0
    latest: datetime | None = None


class StoryClusterer:
    """Incremental clustering: `add` one document at a time, in time order.

    `model` supplies IDF weights; fit it on a representative collection (the documents themselves
    when clustering offline, recent articles on the site).
    """

    def __init__(
        self, model: TfidfModel, options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS
    ) -> None:
        self.model = model
        self.options = options
        self.stories: list[_Story] = []
        self._postings: dict[str, dict[int, float]] = {}

    def vector(self, doc: StoryDocument, counts: Counter[str] | None = None) -> Vector:
        if counts is None:
            counts = _doc_features(doc, self.options)
        return truncate(self.model.vector(counts), self.options.max_features)

    def best_story(self, vector: Vector, when: datetime | None) -> tuple[int | None, float]:
        """The most similar open story and its cosine to the story centroid.

        Dot products are accumulated through postings (feature -> stories holding it), so only
        stories sharing a feature with the document cost anything. cos(v, sum) = v.sum / |sum|.
        """
        dots: dict[int, float] = {}
        for f, w in vector.items():
            for story_id, total in self._postings.get(f, {}).items():
                dots[story_id] = dots.get(story_id, 0.0) + w * total
        best_id, best_sim = None, 0.0
        for story_id, dot in dots.items():
            story = self.stories[story_id]
            if when and story.latest and when - story.latest > self.options.window:
                continue
            sim = dot / story.norm if story.norm else 0.0
            if sim > best_sim:
                best_id, best_sim = story_id, sim
        if best_sim >= self.options.threshold:
            return best_id, best_sim
        return None, best_sim

    def add(self, doc: StoryDocument, counts: Counter[str] | None = None) -> int:
        """Put `doc` in a story and return the story's index."""
        vector = self.vector(doc, counts)
        story_id, _ = self.best_story(vector, doc.published)
        if story_id is None:
            story = _Story(id=len(self.stories))
            self.stories.append(story)
        else:
            story = self.stories[story_id]
        story.members.append(doc.key)
        for f, w in vector.items():
            value = story.total.get(f, 0.0) + w
            story.total[f] = value
            self._postings.setdefault(f, {})[story.id] = value
        story.norm = math.sqrt(sum(w * w for w in story.total.values()))
        if doc.published and (story.latest is None or doc.published > story.latest):
            story.latest = doc.published
        return story.id


def _doc_features(doc: StoryDocument, options: ClusterOptions) -> Counter[str]:
    return features(document_text(doc.title, doc.text, options), options.vector)


def fit_model(
    docs: Iterable[StoryDocument], options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS
) -> TfidfModel:
    return TfidfModel(options.vector).fit(_doc_features(d, options) for d in docs)


def cluster_documents(
    docs: Sequence[StoryDocument], options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS
) -> list[list[Hashable]]:
    """Group `docs` into stories; returns lists of keys, in the order stories were started.

    Documents with a publish time are taken oldest first; those without keep their given order.
    """
    counts = [_doc_features(d, options) for d in docs]
    model = TfidfModel(options.vector).fit(counts)
    clusterer = StoryClusterer(model, options)
    ordered = sorted(
        enumerate(docs),
        key=lambda pair: (pair[1].published is None, pair[1].published or datetime.min, pair[0]),
    )
    for i, doc in ordered:
        clusterer.add(doc, counts[i])
    return [story.members for story in clusterer.stories]
