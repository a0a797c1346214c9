"""Every environment variable the settings read is documented, and bad values are refused."""

import re

import pytest

from tests.conftest import ROOT
from vnnews.site import env


def test_docs_list_every_variable():
    import vnnews.site.settings  # noqa: F401  (registers the variables it reads)

    documented = set(
        re.findall(r"^\| `([A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text(), re.M)
    )
    missing = set(env.REGISTERED) - documented
    assert not missing, f"undocumented variables: {sorted(missing)}"


@pytest.mark.parametrize(("value", "message"), [("abc", "whole number"), ("-5", "at least 0")])
def test_it_refuses_bad_numbers(monkeypatch, value, message):
    monkeypatch.setenv("VNNEWS_TEST_NUMBER", value)
    with pytest.raises(env.ConfigError, match=message):
        env.env_int("VNNEWS_TEST_NUMBER", 1, minimum=0)
    env.REGISTERED.pop("VNNEWS_TEST_NUMBER", None)


def test_it_refuses_a_bad_boolean(monkeypatch):
    monkeypatch.setenv("VNNEWS_TEST_FLAG", "maybe")
    with pytest.raises(env.ConfigError, match="true/false"):
        env.env_bool("VNNEWS_TEST_FLAG")
    env.REGISTERED.pop("VNNEWS_TEST_FLAG", None)


def test_a_sqlite_url_gets_the_settings_of_the_default_sqlite_file():
    from vnnews.site.settings import _database

    default, named = _database(""), _database("sqlite:///srv/vnnews/tin.sqlite3")
    assert named["NAME"] == "/srv/vnnews/tin.sqlite3"
    # IMMEDIATE transactions, WAL and the busy timeout: writers queue instead of failing.
    assert named["OPTIONS"] == default["OPTIONS"]
    assert named["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
