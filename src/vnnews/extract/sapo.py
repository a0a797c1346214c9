"""The sapo: the lead paragraph Vietnamese outlets print in bold between headline and body,
often opened by the outlet's tag — "(Dân trí) -", "(LĐTĐ)", "TPO -", "VOV.VN -"."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from vnnews.text.normalize import fold

SAPO_SELECTOR = (
    ".sapo, h2.sapo, .article__sapo, .detail-sapo, .singular-sapo, .sapo_detail, .news-sapo,"
    " .article-sapo, .detail__summary, .sapo-detail, .box-sapo, [class*=sapo],"
    " h2.description, p.description, .article__lead, .the-article-summary, .lead-detail,"
    " .short_intro, .ArticleLead, .detail-lead, .knc-sapo, .summary-detail, .article-summary"
)
# "(Dân trí) - ", "(LĐTĐ) ", "(PLVN) - ", "TPO - ", "VOV.VN - ", "NDO - ", "ANTD.VN - "
OUTLET_TAG = re.compile(
    r"^\s*(\([^()\n]{2,30}\)\s*[-–—:]?\s*|[A-ZĐ][A-Za-zĐđ.]{1,14}(\.VN|\.vn|\.com\.vn)?\s*[-–—]\s+)"
)


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


def opens_like_sapo(text: str, description: str) -> bool:
    if OUTLET_TAG.match(text) and len(text) > 60:
        return True
    if description and len(text) > 60:
        a, b = fold(text)[:80], fold(description)[:80]
        if a and (a == b or (len(a) > 40 and (a.startswith(b[:40]) or b.startswith(a[:40])))):
            return True
    return False
