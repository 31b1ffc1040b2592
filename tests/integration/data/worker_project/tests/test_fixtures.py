# SPDX-License-Identifier: MIT
from conftest import note


def test_a(module_res):
    note("run test_a")


def test_b(module_res):
    note("run test_b")


class TestK:
    def test_c(self, module_res, class_res):
        note("run test_c")

    def test_d(self, module_res, class_res):
        note("run test_d")


def test_e(module_res):
    note("run test_e")
