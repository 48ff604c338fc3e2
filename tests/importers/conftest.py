"""Helpers for the importer tests: fixture files and the "clean text" check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# C0 (all of it: a one-line field has no tab or newline either), DEL, C1,
# bidi controls, BOM, lone surrogates.
CONTROL_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def assert_one_line(value: str) -> None:
    assert not CONTROL_RE.search(value), value
    assert value == value.strip() and "  " not in value, value


@pytest.fixture
def fixture_text():
    return read_fixture
