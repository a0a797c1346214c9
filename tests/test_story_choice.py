"""Story choice internals (vnnews.news.stories_sync): the running document frequencies and the
inverted index kept by difference must equal what a fresh count of the candidate set gives."""

from __future__ import annotations

import random
from collections import Counter


def _fresh_postings(members: dict) -> dict[str, set]:
    postings: dict[str, set] = {}
    for key, counts in members.items():
        for feature in counts:
            postings.setdefault(feature, set()).add(key)
    return postings


def test_it_keeps_frequencies_and_postings_equal_to_a_fresh_count_as_candidates_move():
    from vnnews.news.stories_sync import _Frequencies

    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(60)]
    articles = {
        (pk, None): Counter({rng.choice(vocabulary): 1 for _ in range(rng.randrange(0, 12))})
        for pk in range(400)
    }
    frequencies = _Frequencies()
    keys = list(articles)
    for step in range(0, 380, 7):  # a sliding window of candidates, plus a few random leavers
        window = [k for k in keys[step : step + 40] if rng.random() > 0.1]
        candidates = [(pk, pk % 9, articles[(pk, c)], c) for pk, c in window]
        df = frequencies.update(candidates)
        members = {k: articles[k] for k in window}
        expected_df = Counter(f for counts in members.values() for f in counts)
        assert df == expected_df
        fresh = _fresh_postings(members)
        assert {f: set(frequencies.holding(f)) for f in frequencies.postings} == fresh
        # A feature held once is stored as the key itself, never as a one-key list.
        assert not any(type(v) is list and len(v) < 2 for v in frequencies.postings.values())
        assert frequencies.holding("absent") == []
