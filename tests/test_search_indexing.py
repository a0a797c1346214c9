"""Search indexing: the keys document_for builds for an article (through its per-word table) are
exactly those of the query-side functions folded_key, exact_key and pairs_key, whatever the text
(the folded body line by line, terms.PARAGRAPH between lines; each distinct exact key once): a query and the index must meet on
the same strings (design rule 9). No database needed."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from vnnews.news.search import terms
from vnnews.news.search.terms import (
    PARAGRAPH,
    document_for,
    exact_key,
    folded_key,
    pairs_key,
    parse_query,
    tokens,
)

TEXTS = [
    "Hà Nội: giá lúa gạo tăng mạnh ở đồng bằng sông Cửu Long",
    "Thuỷ thủ hoà giải, khoẻ mạnh; TOẢ SÁNG và tỏa sáng",
    "ho\u0300a  hoà\u00a0TOẢ\u200bx",  # decomposed tone, odd spaces, a zero-width space in a word
    " \u0301 a lone combining mark",
    "Đảng bộ ĐÀ NẴNG đ Đ",
    "COVID-19: 1.234 ca, 5,6% «ngoặc» a_b (x) t/p.HCM",
    "Σίσυφος ΣΑΣ, Привет мир, 日本語 テスト",
    "a\tb\r\nc\x0bd\u2028e",
    "Plain ASCII: U.S. MARKETS\x1fup 5%, Q&A\x0bIt's\rOK",  # \x1f, \x0b, \r: str.split() spaces
    "",
    "   ",
]


def reference(article) -> dict[str, str]:
    """The keys as the query side spells them, word by word."""
    body = "\n".join(part for part in (article.sapo, article.text) if part)
    title_f = folded_key(article.title)
    lines = [folded_key(line) for line in body.split("\n") if line.split()]
    return {
        "title_f": title_f,
        "body_f": f" {PARAGRAPH} ".join(lines),
        "pairs_f": pairs_key("\n".join([title_f, *lines])),
        "title_x": distinct(exact_key(word) for word in article.title.split()),
        "body_x": distinct(exact_key(word) for word in body.split()),
    }


def distinct(keys) -> str:
    """Each key once, in order of first use."""
    seen: list[str] = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    return " ".join(seen)


def article(title: str, sapo: str, text: str) -> SimpleNamespace:
    return SimpleNamespace(
        pk=7, title=title, sapo=sapo, text=text, published=None, section_id=3, source_id=4
    )


@pytest.mark.parametrize("text", TEXTS)
def test_document_keys_are_the_query_sides_keys(text):
    for item in (
        article(text, text, f"{text}\n\n{text}\n{TEXTS[0]}"),
        article(TEXTS[0], "", text),
        article(text, "", ""),
    ):
        document = document_for(item)
        keys = {name: getattr(document, name) for name in reference(item)}
        assert keys == reference(item)
        assert (document.article_id, document.section_id, document.source_id) == (7, 3, 4)


def test_a_full_word_table_starts_again_with_the_same_keys(monkeypatch):
    monkeypatch.setattr(terms, "_FOLDED", {})
    monkeypatch.setattr(terms, "_EXACT", {})
    monkeypatch.setattr(terms, "_WORD_KEYS_MAX", 3)
    document_for(article(TEXTS[0], "", TEXTS[1]))  # more than 3 words: the table is full
    item = article("Đà Nẵng", "", TEXTS[2])
    document = document_for(item)  # a new word: the table starts again with this text's words
    assert set(terms._FOLDED) == set(terms._EXACT) == set(f"Đà Nẵng {TEXTS[2]}".split())
    assert {name: getattr(document, name) for name in reference(item)} == reference(item)


def test_ascii_lines_are_keyed_without_the_word_tables(monkeypatch):
    """An ASCII word's fold and exact key are its lower case: lines of them never reach the
    tables (and never send their words to be learnt), the other lines do."""
    monkeypatch.setattr(terms, "_FOLDED", {})
    monkeypatch.setattr(terms, "_EXACT", {})
    item = article("Plain Title", "ASCII Sapo", "Breaking NEWS\nHà Nội Today")
    document = document_for(item)
    assert set(terms._FOLDED) == set(terms._EXACT) == {"Hà", "Nội", "Today"}
    assert {name: getattr(document, name) for name in reference(item)} == reference(item)


def test_pairs_stay_within_a_paragraph():
    document = document_for(article("Hà Nội", "", "Đà Nẵng\n\nmưa to"))
    assert document.pairs_f.split() == ["hanoi", "danang", "muato"]


def test_paragraphs_are_marked_in_the_folded_body():
    document = document_for(article("Hà Nội", "Sapo", "Đà Nẵng\n\n  \nmưa to"))
    assert document.body_f.split() == ["sapo", PARAGRAPH, "da", "nang", PARAGRAPH, "mua", "to"]
    assert (
        document.body_f.replace(PARAGRAPH, " ").split() == folded_key("Sapo Đà Nẵng mưa to").split()
    )


def test_no_query_holds_the_paragraph_mark():
    # The mark is an indexed word of its own (FTS5) that a reader's query can never ask for.
    assert tokens(PARAGRAPH) == []
    parsed = parse_query(f"da {PARAGRAPH} nang")
    assert (parsed.folded, parsed.exact) == (["da", "nang"], [])


def test_pairs_are_built_ahead_where_the_database_indexes_them():
    from dataclasses import replace

    from django.db import connection

    item = article(TEXTS[0], TEXTS[1], f"{TEXTS[5]}\n\n{TEXTS[0]}")
    document = document_for(item)
    assert (document.glued_pairs is not None) == (connection.vendor == "postgresql")
    expected = reference(item)["pairs_f"]
    assert document.pairs_f == replace(document, glued_pairs=None).pairs_f == expected


def test_exact_keys_hold_each_word_once():
    document = document_for(article("Hà Nội, Hà Nội", "", "Nội thành Hà Nội.\nHÀ NỘI"))
    assert document.title_x.split() == ["hà", "nội,", "nội"]
    assert document.body_x.split() == ["nội", "thành", "hà", "nội."]


def test_document_keys_hold_when_another_thread_empties_the_full_tables(monkeypatch):
    from vnnews.news.search import terms

    expected = terms.document_keys("Hoà Bình mới", "Sapo ngắn.", "Đoạn một.\nĐoạn hai.")
    terms._FOLDED.clear()
    terms._EXACT.clear()
    learn = terms._learn

    def learn_then_lose(words):
        learn(words)
        terms._FOLDED.clear()  # as if another thread filled the tables and started again
        terms._EXACT.clear()

    monkeypatch.setattr(terms, "_learn", learn_then_lose)
    assert terms.document_keys("Hoà Bình mới", "Sapo ngắn.", "Đoạn một.\nĐoạn hai.") == expected


@pytest.mark.parametrize("text", TEXTS)
def test_content_keys_give_the_content_hash_of_the_same_folds(text):
    """An import folds an article once, for its search keys and its content hash: the hash key
    is what stories.identity.content_hash digests, or None when those folds cannot give it."""
    from vnnews.stories.identity import content_hash
    from vnnews.text import normalize

    for title, sapo, body in ((text, text, f"{text}\n\n{TEXTS[1]}"), (TEXTS[0], "", text),
                              (text, "", ""), (normalize(text), normalize(text), normalize(text))):  # fmt: skip
        document, key = terms.content_keys(title, sapo, body)
        assert document == terms.document_keys(title, sapo, body)
        if key is not None:
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
            assert digest == content_hash(title, sapo + "\n" + body, normalized=True)


def test_content_keys_leave_the_hash_to_content_hash_when_another_thread_reset_the_tables(
    monkeypatch,
):
    """The word tables are emptied when full, by whichever thread fills them: the check for
    words not in normal form must not take their absence from the emptied tables for normal."""
    real = terms._document_keys

    def racing(*args):
        found = real(*args)
        monkeypatch.setattr(terms, "_WORD_KEYS_MAX", 0)
        terms._learn({"khác"})  # another thread, meanwhile: the tables were full
        return found

    monkeypatch.setattr(terms, "_document_keys", racing)
    assert terms.content_keys("Thuỷ thủ", "", "hoà giải")[1] is None


def test_content_keys_leave_the_hash_to_content_hash_when_the_folds_differ():
    # A word of marks only folds to nothing: content_hash drops it, the index keeps its place.
    assert terms.content_keys("Tin \u0301 mới", "", "Hà Nội")[1] is None
    assert terms.content_keys("Tin mới", "", "Hà \u0301\nNội")[1] is None
    # A word not in normal form (decomposed, tone misplaced) is not normalised by the hash.
    assert terms.content_keys("Tin mới", "", "ho\u0300a giải")[1] is None
    assert terms.content_keys("Thuỷ thủ", "", "hoà giải")[1] is None
    assert terms.content_keys("Thủy thủ", "", "hòa giải")[1] == "thuy thu\nhoa giai"


@pytest.mark.parametrize("text", [*TEXTS, "x" * 3000 + " y", "é" * 600 + " ạ" * 2, "", " -- "])
def test_postgres_lexemes_are_the_query_sides_words(text, monkeypatch):
    """PostgreSQL's vectors hold the words `tokens` reads a query into (letters and digits,
    split at anything else), from any of the keys, without the words too long for a lexeme,
    whether the per-word table knows the words, learns them or has just been emptied."""
    import re

    from vnnews.news.search import postgres_fts

    for key in (folded_key(text), exact_key(text), text):
        expected = [w for w in re.findall(r"[^\W_]+", key) if len(w.encode()) <= 2047]
        assert postgres_fts._lexemes(key).split() == expected
        assert postgres_fts._lexemes(key).split() == expected  # from the table now
    monkeypatch.setattr(postgres_fts, "_learn", lambda words: postgres_fts._WORD_LEXEMES.clear())
    postgres_fts._WORD_LEXEMES.clear()
    assert postgres_fts._lexemes(text).split() == expected


@pytest.mark.parametrize("text", [*TEXTS, "x" * 3000 + " y z", "", "a"])
def test_postgres_pair_lexemes_are_those_of_the_pairs_words(text):
    """The pairs are taken as they are (letters and digits, one space apart): the same lexemes as
    reading them word by word, the ones too long for a lexeme left out."""
    from vnnews.news.search import postgres_fts

    pairs = document_for(article(text, "", text)).pairs_f
    assert postgres_fts._pair_lexemes(pairs) == postgres_fts._lexemes(pairs)
