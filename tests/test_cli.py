"""The `vnnews` command: every subcommand is listed, documented and has working --help."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vnnews.cli import SUBCOMMANDS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def vnnews(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VNNEWS_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "vnnews.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_help_lists_every_subcommand():
    result = vnnews("--help")
    assert result.returncode == 0
    listed = re.findall(r"^  (\S+)\s", result.stdout, re.M)
    assert listed == list(SUBCOMMANDS)


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_every_subcommand_has_a_section_in_the_docs(name):
    assert f"## `vnnews {name}`" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_every_subcommand_answers_help(name, tmp_path):
    result = vnnews(name, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage" in result.stdout.lower() or "cách dùng" in result.stdout.lower()


def test_an_unknown_subcommand_is_refused_with_the_list():
    result = vnnews("no-such-command")
    assert result.returncode == 2
    assert "import" in result.stderr
