# SPDX-License-Identifier: MIT
"""A test in a nested package."""


def test_nested(numbers):
    assert sum(numbers) == 6
