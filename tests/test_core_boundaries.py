"""Design rule 1: the core library never imports Django (or reads Django settings)."""

import subprocess
import sys

import pytest

CORE = [
    "vnnews",
    "vnnews.extract",
    "vnnews.text",
    "vnnews.text.dates",
    "vnnews.fetch",
    "vnnews.feeds",
    "vnnews.stories",
    "vnnews.stories.identity",
    "vnnews.stories.clustering",
    "vnnews.stories.near_duplicates",
    "vnnews.stories.related",
    "vnnews.archive",
    "vnnews.sanitize",
]


@pytest.mark.parametrize("module", CORE)
def test_the_core_module_loads_without_django(module):
    code = f"import sys, {module}; sys.exit(3 if 'django' in sys.modules else 0)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} imported django: {result.stderr}"


def test_the_public_api_works_without_django():
    code = (
        "import sys; from vnnews import extract, extract_text, normalize, fold; "
        "a = extract_text('Tiêu đề\\n\\nĐoạn một của bài báo khá dài để làm nội dung.'); "
        "assert a.title == 'Tiêu đề', a.title; assert fold('Hoà') == 'hoa'; "
        "sys.exit(3 if 'django' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
