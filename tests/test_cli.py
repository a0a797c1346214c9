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


def test_import_through_main_gives_the_gc_back_even_when_it_fails(monkeypatch):
    """cli.main runs `import`'s start-up with the cyclic GC off; a caller in a long-lived process
    (these tests) gets it back on, whatever the command did, and the last collection is spared
    only at exit (an atexit freeze)."""
    import atexit
    import gc

    from vnnews import cli

    seen, registered = [], []

    def command(argv):
        seen.append(gc.isenabled())
        raise SystemExit(2)

    monkeypatch.setattr("django.core.management.execute_from_command_line", command)
    monkeypatch.setattr(atexit, "register", registered.append)
    with pytest.raises(SystemExit):
        cli.main(["import", "nowhere"])
    assert seen == [False]
    assert gc.isenabled()
    assert registered == [gc.freeze]


def test_main_leaves_one_exit_freeze_however_often_it_runs(monkeypatch):
    """A long-lived process may run `import` through main() again and again: the atexit freeze
    must not pile up a handler a run."""
    import atexit
    import gc

    from vnnews import cli

    handlers: list = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", lambda argv: None)
    monkeypatch.setattr(atexit, "register", handlers.append)
    monkeypatch.setattr(
        atexit,
        "unregister",
        lambda func: handlers.__setitem__(slice(None), [h for h in handlers if h is not func]),
    )
    for _ in range(3):
        assert cli.main(["import", "nowhere"]) == 0
    assert handlers == [gc.freeze]
