# SPDX-License-Identifier: MIT
"""Plain tests, a class, and parameters whose IDs are awkward to pass around."""
import pytest


def test_sorted(numbers):
    assert sorted(numbers) == [1, 2, 3]


@pytest.mark.parametrize("s", ["a b", "it's", 'say "hi"', "ünï", "x[1]", "$(echo pwned)", "a::b"])
def test_awkward_ids(s):
    assert isinstance(s, str) and s


@pytest.mark.parametrize("n, square", [(1, 1), (2, 4), (3, 9)])
def test_square(n, square):
    assert n * n == square


class TestStrings:
    def test_upper(self):
        assert "abc".upper() == "ABC"

    @pytest.mark.parametrize("word", ["one", "two words"])
    def test_len(self, word):
        assert len(word) > 0

    def test_broken(self):
        assert "abc".title() == "abc", "deliberately wrong"
