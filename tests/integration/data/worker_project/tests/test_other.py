# SPDX-License-Identifier: MIT
from conftest import note


def test_x(module_res):
    note("run test_x")
