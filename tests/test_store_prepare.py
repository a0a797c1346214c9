"""The CPU half of storing an article (news.store.prepare and its steps), without a database:
its shortcuts give what the plain field-by-field way gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vnnews.extract.article import Article as Extracted
from vnnews.extract.article import Block
from vnnews.news.store import normalize_article
from vnnews.text import normalize


def _article(text: str) -> Extracted:
    return Extracted(
        title=f"Title {text}",
        sapo=f"“Sapo” — {text}",
        blocks=[
            Block(kind="paragraph", text=f"First — {text}"),
            Block(kind="image", src="https://x.vn/a.jpg", alt=text, caption="c", credit=text),
            Block(kind="list", items=[text, "two"]),
            Block(kind="table", rows=[[text, "b"], ["c", text]]),
            Block(kind="paragraph", text="Second"),
        ],
        text=f"First — {text}\n\nSecond",
        authors=[text],
        byline=text,
        section=text,
        section_path=["News", text],
        tags=[text, "t"],
        site_name=text,
    )


def _one_by_one(a: Extracted) -> Extracted:
    n = normalize
    return replace(
        a,
        title=n(a.title),
        sapo=n(a.sapo),
        blocks=[
            replace(
                b,
                text=n(b.text),
                alt=n(b.alt),
                caption=n(b.caption),
                credit=n(b.credit),
                items=[n(i) for i in b.items],
                rows=[[n(c) for c in row] for row in b.rows],
            )
            for b in a.blocks
        ],
        text=n(a.text),
        authors=[n(x) for x in a.authors],
        byline=n(a.byline),
        section=n(a.section),
        section_path=[n(x) for x in a.section_path],
        tags=[n(x) for x in a.tags],
        site_name=n(a.site_name),
    )


@pytest.mark.parametrize("text", ["plain words", "Hòa bình", "Hoà  bình", "a\u00a0b", "x\tz"])
def test_normalize_article_gives_every_field_normalized(text):
    article = _article(text)
    normal = normalize_article(article)
    assert normal == _one_by_one(article)
    # A copy: changing its lists leaves the article as it was.
    assert normal is not article
    for name in ("blocks", "authors", "section_path", "tags"):
        assert getattr(normal, name) is not getattr(article, name)


def test_what_extraction_removed_does_not_travel_back_from_a_worker():
    from vnnews.extract.article import Removed
    from vnnews.news.store import prepare

    article = replace(
        _article("Hòa bình"),
        url="https://x.vn/a.html",
        removed=[Removed(kind="navigation", text="Menu " * 100, reason="<nav> chrome")],
    )
    prepared = prepare(article, ahead=True)
    assert prepared.stage == "" and prepared.fields is not None
    assert prepared.clean.removed == []
    assert [b.kind for b in prepared.clean.blocks] == ["image"]
    # In place (not ahead), the clean article is whole.
    assert prepare(article).clean.removed == article.removed


@pytest.mark.parametrize(
    "block",
    [
        Block(kind="paragraph", text="Một đoạn"),
        Block(kind="heading", text="H", level=2),
        Block(kind="list", items=["a", "b"], ordered=True),
        Block(kind="table", rows=[["a", ""]]),
        Block(kind="image", src="https://x.vn/a.jpg", alt="", caption="c", credit="d"),
        Block(kind="paragraph", text="", items=()),  # an empty tuple is not an empty list
    ],
)
def test_block_dict_is_to_dict_in_the_same_key_order(block):
    from vnnews.news.store import block_dict

    assert list(block_dict(block).items()) == list(block.to_dict().items())
    # Attributes not as __init__ set them (one added, one set again last): the same answer.
    odd = replace(block)
    odd.extra = "x"
    text = odd.text
    del odd.text
    odd.text = text
    assert list(block_dict(odd).items()) == list(block.to_dict().items())
