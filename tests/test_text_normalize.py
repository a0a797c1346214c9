"""Stored and searched Vietnamese text goes through one normalisation."""

import importlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnnews.text import fold, normalize


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("toả sáng", "tỏa sáng"),
        ("khoẻ", "khỏe"),
        ("Thành uỷ", "Thành ủy"),
        ("thuỷ", "thủy"),
        ("hoàng", "hoàng"),
        ("hoáng", "hoáng"),
        ("khuyến", "khuyến"),
        ("người", "người"),
        ("ngoái", "ngoái"),
        ("quý", "quý"),
        ("quá", "quá"),
        ("giá", "giá"),
        ("gì", "gì"),
        ("khuỷu", "khuỷu"),
        ("Hoà Bình", "Hòa Bình"),
        ("HOÀ", "HÒA"),
        ("iPhone Royal City", "iPhone Royal City"),
        ("Covid-19 năm 2020", "Covid-19 năm 2020"),
    ],
)
def test_it_places_tone_marks_one_way(written, stored):
    assert normalize(written) == stored


def test_it_outputs_nfc_from_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Đào Đức Toàn phát biểu")
    assert normalize(decomposed) == "Đào Đức Toàn phát biểu"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


def test_the_seed_spellings_of_toa_meet():
    assert normalize("Tây Hồ toả sáng") == normalize("Tây Hồ tỏa sáng")


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Hà Nội", "ha noi"),
        ("HÀ NỘI", "ha noi"),
        ("ha noi", "ha noi"),
        ("Đào Đức Toàn", "dao duc toan"),
        ("hoà", "hoa"),
        ("  nhiều   khoảng trắng ", "nhieu khoang trang"),
    ],
)
def test_fold_is_the_search_key(query, key):
    assert fold(query) == key


def test_fold_and_normalize_agree_on_old_and_new_placement():
    assert fold("thuỷ") == fold("thủy") == "thuy"


# No per-example deadline: a busy CI machine can stall any example past Hypothesis's 200 ms.
@settings(deadline=None)
@given(st.text(alphabet="aàáảãạăằâầeèéẻêếiíìoòóôồơờuùúưứyỳýđĐ qgh\u00a0\u0301\u0300", max_size=40))
def test_normalize_is_idempotent_and_fold_agrees(text):
    once = normalize(text)
    assert normalize(once) == once
    assert fold(text) == fold(once) == fold(once, normalized=True)


def test_the_memo_gives_the_same_answer_the_second_time():
    text = "Thành uỷ Hoà Bình khoẻ"
    assert normalize(text) == normalize(text) == "Thành ủy Hòa Bình khỏe"


def _fold_by_character(text: str) -> str:
    """The definition fold() must meet, one character at a time (slow, obviously right)."""
    decomposed = unicodedata.normalize("NFD", normalize(text).lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


@pytest.mark.parametrize(
    "text",
    [
        "Đường phố ngập.\n\nNgười dân  đi  lại khó khăn.",
        "ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ ΤΕΛΟΣ ΣΤΟ ΘΕΜΑ. Σ Σ ΑΣ ΑΣ.",  # Greek final sigma is decided per word
        "\u0301 dấu rời \u0300đầu từ và \u0323 cuối",  # lone combining marks
        "Москва ёлка Ещё\u00a0раз\u2003 и\tещё",  # other scripts, odd spaces
        "中文 标题 日本語のテキスト。 한국어 텍스트",
        "İstanbul ĐÀ NẴNG Straße ǅemal ﬁnal",  # special case mappings
        "",
    ],
)
def test_fold_of_any_script_matches_the_character_definition(text):
    assert fold(text) == _fold_by_character(text)


def test_fold_remembers_words_without_changing_answers(monkeypatch):
    module = importlib.import_module("vnnews.text.normalize")

    # A word's fold is the same whatever text taught it (here, one with Greek in it, which takes
    # the exact path), and stays right when the bounded memo starts again.
    assert fold("Hoà Bình ΣΑΣ") == "hoa binh σας"
    assert fold("Hoà") == "hoa" and fold("ΣΑΣ") == "σας"
    monkeypatch.setattr(module, "_FOLDED_WORDS", {})  # whatever earlier tests taught it
    monkeypatch.setattr(module, "_FOLDED_WORDS_MAX", 3)
    texts = ["Đà Nẵng mưa to", "Thuỷ điện xả lũ", "Đà Nẵng", "\u0301 lẻ"]
    assert [fold(t) for t in texts] == [_fold_by_character(t) for t in texts]
    assert len(module._FOLDED_WORDS) <= 4


def test_fold_answers_even_when_another_thread_empties_the_full_memo(monkeypatch):
    """The memo is emptied when full; a thread that has just learnt its words must not then
    fail to find them (a search or a store would fail with KeyError)."""
    module = importlib.import_module("vnnews.text.normalize")
    monkeypatch.setattr(module, "_FOLDED_WORDS", {})  # words not learnt yet
    learn = module._learn_folds

    def learn_then_lose(words):
        learn(words)
        module._FOLDED_WORDS.clear()  # as if another thread filled the memo and started again

    monkeypatch.setattr(module, "_learn_folds", learn_then_lose)
    assert module.fold("Đường Hoà Bình mới sửa xong chưa?") == "duong hoa binh moi sua xong chua?"
