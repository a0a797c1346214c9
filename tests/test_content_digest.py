"""The import's word-by-word content hash equals identity.content_hash on normalised text."""

import pytest

from vnnews.news.content_digest import content_digest
from vnnews.stories.identity import content_hash
from vnnews.text import normalize

CASES = [
    ("Hà Nội mưa to", "Đường phố ngập.\n\nNgười dân  đi  lại khó khăn."),
    ("ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ", "ΤΕΛΟΣ ΣΤΟ ΘΕΜΑ.\nΣ Σ ΑΣ ΑΣ."),  # Greek final sigma decides per word
    ("Tiêu đề", "\u0301 dấu rời \u0300đầu từ và \u0323 cuối"),  # lone combining marks
    ("Москва ёлка", "Ещё\u00a0раз\u2003 и\tещё"),  # other scripts, odd spaces
    ("", ""),
    ("Chỉ tiêu đề", ""),
    ("中文 标题", "日本語のテキスト。 한국어 텍스트"),
    ("İstanbul ĐÀ NẴNG", "Straße ǅemal ﬁnal"),  # special case mappings
]


@pytest.mark.parametrize(("title", "text"), CASES)
def test_it_hashes_like_identity_content_hash(title, text):
    title, text = normalize(title), normalize(text)
    assert content_digest(title, text) == content_hash(title, text, normalized=True)


def test_it_hashes_the_demo_corpus_like_identity(shared_data):
    from vnnews.news.importers.dantri import parse

    paths = sorted((shared_data / "corpus" / "dantri-unc").glob("news_*.txt"))[:100]
    assert paths
    for path in paths:
        article = parse(path.read_bytes())
        title, text = normalize(article.title), normalize(article.sapo + "\n" + article.text)
        assert content_digest(title, text) == content_hash(title, text, normalized=True)
