"""The article body built in Python (reader.article_body.body_html) is the markup the template
loop used to produce, with every field escaped."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from vnnews.reader.article_body import body_html, prepare_block

# The template loop body_html replaced (reader/article.html before the change), kept here as the
# reference the Python version must match.
TEMPLATE_LOOP = (
    '{% for b in blocks %}{% if b.kind == "paragraph" %}<p>{{ b.text }}</p>\n'
    '{% elif b.kind == "heading" %}{% if b.level == 2 %}<h2>{{ b.text }}</h2>{% elif b.level == 3 %}'
    "<h3>{{ b.text }}</h3>{% else %}<h4>{{ b.text }}</h4>{% endif %}\n"
    '{% elif b.kind == "quote" %}<blockquote><p>{{ b.text }}</p></blockquote>\n'
    '{% elif b.kind == "list" %}{% if b.ordered %}<ol>{% else %}<ul>{% endif %}{% for i in b.items %}'
    "<li>{{ i }}</li>{% endfor %}{% if b.ordered %}</ol>{% else %}</ul>{% endif %}\n"
    '{% elif b.kind == "table" %}<div class="table-wrap" tabindex="0" role="region" '
    'aria-label="Bảng"><table>{% for row in b.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>'
    "{% endfor %}</tr>{% endfor %}</table></div>\n"
    '{% elif b.kind == "image" %}<figure>{% if b.src %}<img src="{{ b.src }}" alt="{{ b.alt }}" '
    'loading="lazy" decoding="async" referrerpolicy="no-referrer">{% endif %}'
    "{% if b.caption or b.credit %}<figcaption>{{ b.caption }}{% if b.credit %} "
    '<span class="credit">{{ b.credit }}</span>{% endif %}</figcaption>{% endif %}</figure>\n'
    '{% elif b.kind == "video" %}<p class="media-link"><a href="{{ b.src }}" '
    'rel="noopener nofollow">▶ Xem video{% if b.caption %}: {{ b.caption }}{% endif %}</a></p>\n'
    '{% elif b.kind == "embed" %}<p class="media-link"><a href="{{ b.src }}" '
    'rel="noopener nofollow">Xem nội dung nhúng{% if b.caption %}: {{ b.caption }}{% endif %}'
    "</a></p>\n{% endif %}{% endfor %}"
)

RAW_BLOCKS = [
    {"kind": "paragraph", "text": "Hà Nội <b>mưa</b> & \"gió\" 'to'"},
    {"kind": "heading", "text": "Mục <2>", "level": 2},
    {"kind": "heading", "text": "Mục 3", "level": 3},
    {"kind": "heading", "text": "Mục 6", "level": 6},
    {"kind": "quote", "text": "Trích <dẫn>"},
    {"kind": "list", "items": ["một", "<hai>"], "ordered": True},
    {"kind": "list", "items": ["ba"], "ordered": False},
    {"kind": "table", "rows": [["a", "<b>"], ["c", "d & e"]]},
    {"kind": "image", "src": "https://x.vn/a.jpg?a=1&b=2", "caption": 'Ảnh "đẹp"', "credit": "X"},
    {"kind": "image", "src": "javascript:alert(1)", "caption": "Chỉ chú thích"},
    {"kind": "image", "src": "https://x.vn/b.jpg", "alt": "<alt>"},
    {"kind": "video", "src": "https://x.vn/v.mp4", "caption": "Clip <1>"},
    {"kind": "video", "src": "https://x.vn/w.mp4"},
    {"kind": "embed", "src": "https://x.vn/e", "caption": "Bản đồ"},
]


def _squash(html: str) -> str:
    return re.sub(r"\s*\n\s*", "", html)


@pytest.mark.parametrize("raw", RAW_BLOCKS, ids=lambda raw: raw["kind"])
def test_each_block_kind_renders_as_the_template_did(raw):
    block = prepare_block(raw)
    assert block is not None
    expected = Template(TEMPLATE_LOOP).render(Context({"blocks": [block]}))
    assert _squash(body_html([block])) == _squash(expected)


def test_no_markup_from_the_blocks_survives_unescaped():
    blocks = [b for b in (prepare_block(raw) for raw in RAW_BLOCKS) if b]
    html = body_html(blocks)
    assert "<b>" not in html and "<dẫn>" not in html and "<alt>" not in html
    assert "javascript:" not in html
    assert _squash(html) == _squash(Template(TEMPLATE_LOOP).render(Context({"blocks": blocks})))
