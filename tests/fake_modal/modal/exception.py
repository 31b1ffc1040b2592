# SPDX-License-Identifier: MIT
"""The exceptions of modal.exception that the fake raises."""


class Error(Exception):
    pass


class InvalidError(Error):
    pass


class NotFoundError(Error):
    pass


class SandboxFilesystemError(Error):
    pass


class SandboxFilesystemNotFoundError(SandboxFilesystemError):
    pass


class SandboxFilesystemIsADirectoryError(SandboxFilesystemError):
    pass
