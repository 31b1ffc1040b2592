# SPDX-License-Identifier: MIT
"""Helpers with doctests, collected by pytest_args = ["--doctest-modules"]."""


def shout(text):
    """Upper-cases `text` and adds an exclamation mark.

    >>> shout("hi")
    'HI!'
    """
    return text.upper() + "!"


def whisper(text):
    """A doctest that fails on purpose.

    >>> whisper("HI")
    'hi'
    """
    return text.lower() + "..."
