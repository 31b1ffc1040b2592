// SPDX-License-Identifier: MIT
// A second GoogleTest program, so offload runs several binaries at once.
#include <gtest/gtest.h>

#include <string>

TEST(Strings, Concatenates) {
  EXPECT_EQ(std::string("off") + "load", "offload");
}

TEST(Strings, FindsSubstrings) {
  EXPECT_NE(std::string("offload").find("load"), std::string::npos);
}

// The same suite and test name as in calculator_test: IDs stay apart by binary.
TEST(Arithmetic, AddsSmallNumbers) {
  EXPECT_EQ(std::to_string(2 + 3), "5");
}
