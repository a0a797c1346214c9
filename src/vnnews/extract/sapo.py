"""The sapo: the lead paragraph Vietnamese outlets print in bold between headline and body,
often opened by the outlet's tag — "(Dân trí) -", "(LĐTĐ)", "TPO -", "VOV.VN -"."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from vnnews.extract.boilerplate import quick_fold

SAPO_SELECTOR = (
    ".sapo, h2.sapo, .article__sapo, .detail-sapo, .singular-sapo, .sapo_detail, .news-sapo,"
    " .article-sapo, .detail__summary, .sapo-detail, .box-sapo, [class*=sapo],"
    " h2.description, p.description, .article__lead, .the-article-summary, .lead-detail,"
    " .short_intro, .ArticleLead, .detail-lead, .knc-sapo, .summary-detail, .article-summary,"
    " .Lead, h2.pHead, p.pHead, .chapeau, #chapeau"
)
_LEAD_CLASS = re.compile(
    r"lead|sapo|desc|summary|intro|head|chapeau|fon33|excerpt|standfirst", re.I
)
_SAPO_TAGS = frozenset({"h2", "p", "div", "span", "h3", "strong", "b", "em"})
# "(Dân trí) - ", "(LĐTĐ) ", "(PLVN) - ", "TPO - ", "VOV.VN - ", "NDO - ", "ANTD.VN - "
OUTLET_TAG = re.compile(
    r"^\s*(\([^()\n]{2,30}\)\s*[-–—:]?\s*|[A-ZĐ][A-Za-zĐđ.]{1,14}(\.VN|\.vn|\.com\.vn)?\s*[-–—]\s+)"
)


def near_headline(h1: LexborNode | None, strict: bool = False) -> LexborNode | None:
    """The lead printed right after the headline: an <h2>, or a block named like a lead
    (`strict`: only the latter — an <h2> after the headline is a subheading in many languages)."""
    if h1 is None:
        return None
    node = h1
    for _ in range(3):  # the headline, then its parent, then its grandparent
        sibling = node.next
        seen = 0
        while sibling is not None and seen < 6:
            if sibling.is_element_node:
                seen += 1
                tag = sibling.tag
                cls = sibling.attributes.get("class") or ""
                text = sibling.text(strip=True)
                if tag in _SAPO_TAGS and 60 <= len(text) <= 1500:
                    if sibling.css_first("p ~ p, li, h1") is not None:
                        return None
                    if (tag == "h2" and not strict) or _LEAD_CLASS.search(cls):
                        return sibling
                    return None
            sibling = sibling.next
        node = node.parent
        if node is None or node.tag in ("body", "html"):
            return None
    return None


def clean_node(node: LexborNode) -> None:
    """Drop the related link some outlets append inside the sapo ("(Dân trí) - ... >> Tin")."""
    if len(node.text(strip=True)) < 80:
        return
    for a in node.css("a"):
        text = a.text(strip=True)
        if text.startswith(">") or len(text) > 20:
            a.remove()


def find_node(tree: LexborHTMLParser, scope: LexborNode | None = None) -> LexborNode | None:
    for root in (scope, tree.body) if scope is not None else (tree.body,):
        if root is None:
            continue
        for node in root.css(SAPO_SELECTOR):
            text = node.text(strip=True)
            if 30 <= len(text) <= 1500 and node.css_first("p ~ p, li") is None:
                return node
    return None


_VI_LETTERS = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I
)


def is_vietnamese(text: str) -> bool:
    """Cheap language check: share of letters only Vietnamese writes (ơ, ư, đ, ạ, ...)."""
    sample = text[:3000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters < 10:
        return False
    return len(_VI_LETTERS.findall(sample)) > letters * 0.08


def opens_like_sapo(text: str, description: str, vietnamese: bool = True) -> bool:
    if vietnamese and OUTLET_TAG.match(text) and len(text) > 60:
        return True
    if description and len(text) > 60:
        a, b = quick_fold(text[:100])[:80], quick_fold(description[:100])[:80]
        if a and (a == b or (len(a) > 40 and (a.startswith(b[:40]) or b.startswith(a[:40])))):
            return True
    return False
