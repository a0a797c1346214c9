"""Clustering quality against gold clusters: pairwise precision/recall/F1 and the adjusted Rand
index (Hubert & Arabie 1985), plus a reader for the ViMs layout (Cluster_NNN/*.txt, title line
then body)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

from vnnews.stories.clustering import StoryDocument


@dataclass(frozen=True)
class ClusterScores:
    precision: float
    recall: float
    f1: float
    ari: float
    predicted_clusters: int
    gold_clusters: int


def _labels(clusters: Sequence[Sequence[Hashable]]) -> dict[Hashable, int]:
    return {key: i for i, members in enumerate(clusters) for key in members}


def score_clusters(
    predicted: Sequence[Sequence[Hashable]], gold: Sequence[Sequence[Hashable]]
) -> ClusterScores:
    """Pairwise scores: a pair of documents is a true positive when both clusterings put it
    together. Documents missing from `predicted` count as singletons."""
    gold_of = _labels(gold)
    pred_of = _labels(predicted)
    next_label = len(predicted)
    for key in gold_of:
        if key not in pred_of:
            pred_of[key] = next_label
            next_label += 1
    keys = list(gold_of)
    joint = Counter((gold_of[k], pred_of[k]) for k in keys)
    gold_sizes = Counter(gold_of[k] for k in keys)
    pred_sizes = Counter(pred_of[k] for k in keys)
    together_both = sum(comb(n, 2) for n in joint.values())
    together_gold = sum(comb(n, 2) for n in gold_sizes.values())
    together_pred = sum(comb(n, 2) for n in pred_sizes.values())
    precision = together_both / together_pred if together_pred else 1.0
    recall = together_both / together_gold if together_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = comb(len(keys), 2)
    expected = together_gold * together_pred / total if total else 0.0
    maximum = (together_gold + together_pred) / 2
    ari = (together_both - expected) / (maximum - expected) if maximum != expected else 1.0
    return ClusterScores(
        precision, recall, f1, ari, len(set(pred_of[k] for k in keys)), len(gold_sizes)
    )


def read_vims(folder: Path) -> tuple[list[StoryDocument], list[list[str]]]:
    """Documents and gold clusters from a ViMs folder; keys are "Cluster_NNN/N.txt"."""
    docs: list[StoryDocument] = []
    gold: list[list[str]] = []
    for cluster_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        members = []
        for path in sorted(cluster_dir.glob("*.txt"), key=lambda p: (len(p.name), p.name)):
            text = path.read_text(encoding="utf-8", errors="replace")
            title, _, body = text.strip().partition("\n")
            key = f"{cluster_dir.name}/{path.name}"
            docs.append(StoryDocument(key=key, title=title.strip(), text=body.strip()))
            members.append(key)
        gold.append(members)
    return docs, gold
