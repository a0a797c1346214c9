"""Lines of ASCII and typographic punctuation (’ “ — …) are keyed like ASCII lines, by their
lower case and without the word tables: the keys stay those of the query side."""

from __future__ import annotations

import pytest

from tests.test_search_indexing import TEXTS, article, reference
from vnnews.news.search import terms
from vnnews.text import fold
from vnnews.text.normalize import _NOT_INERT

PUNCTUATED = [
    "They’re “quoted” — and… €5 × 3 ± 1 ¶ § © ® ¿",
    "‘Single’ – dash‐hyphen • bullet ‰ ′ ″ ‹›",
    "Mixed: “Hoà” — Hà Nội",  # a letter with a mark: the tables, as before
    "two  spaces “here”",  # not plainly normal: the tables, with the same keys
]


def test_inert_characters_fold_to_themselves():
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        if not _NOT_INERT.match(ch):
            assert ch.lower() == ch and fold(f"A{ch}B") == f"a{ch}b", hex(cp)


@pytest.mark.parametrize("text", PUNCTUATED)
def test_punctuated_lines_give_the_query_sides_keys(text):
    for item in (
        article(text, text, f"{text}\n\n{text}\n{TEXTS[0]}"),
        article(TEXTS[0], "", text),
        article(text, "", ""),
    ):
        document = terms.document_for(item)
        assert {name: getattr(document, name) for name in reference(item)} == reference(item)


def test_punctuated_lines_are_keyed_without_the_word_tables(monkeypatch):
    monkeypatch.setattr(terms, "_FOLDED", {})
    monkeypatch.setattr(terms, "_EXACT", {})
    item = article("“Plain” Title", "Sapo — fine…", "It’s NEWS\nHà Nội Today")
    document = terms.document_for(item)
    assert set(terms._FOLDED) == set(terms._EXACT) == {"Hà", "Nội", "Today"}
    assert {name: getattr(document, name) for name in reference(item)} == reference(item)
