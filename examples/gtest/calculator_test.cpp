// SPDX-License-Identifier: MIT
// A GoogleTest program showing every kind of test offload's gtest framework
// handles: plain tests, a fixture, typed and value-parametrized suites, a
// skipped test, a disabled one, a death test and one that fails on purpose.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

int64_t add(int64_t a, int64_t b) {
  return a + b;
}

int64_t divide(int64_t a, int64_t b) {
  if (b == 0) {
    throw std::invalid_argument("division by zero");
  }
  return a / b;
}

} // namespace

TEST(Arithmetic, AddsSmallNumbers) {
  EXPECT_EQ(add(2, 3), 5);
}

TEST(Arithmetic, DividesExactly) {
  EXPECT_EQ(divide(9, 3), 3);
}

TEST(Arithmetic, RejectsZeroDivisor) {
  EXPECT_THROW(divide(1, 0), std::invalid_argument);
}

TEST(Arithmetic, FailsOnPurpose) {
  EXPECT_EQ(add(2, 2), 5) << "this test fails on purpose";
}

TEST(Arithmetic, SkippedOnPurpose) {
  GTEST_SKIP() << "nothing to check here";
}

TEST(Arithmetic, DISABLED_NotReadyYet) {
  FAIL() << "disabled tests do not run";
}

// gtest runs a death test's statement in a child process.
TEST(ArithmeticDeathTest, AbortsOnRequest) {
  EXPECT_DEATH(std::abort(), "");
}

class Accumulator : public ::testing::Test {
protected:
  void SetUp() override { total = 10; }
  int64_t total = 0;
};

TEST_F(Accumulator, StartsFromSetUp) {
  EXPECT_EQ(total, 10);
}

TEST_F(Accumulator, Accumulates) {
  total = add(total, 5);
  EXPECT_EQ(total, 15);
}

template <class T>
class Widening : public ::testing::Test {};
using WideTypes = ::testing::Types<int16_t, int32_t, int64_t>;
TYPED_TEST_SUITE(Widening, WideTypes);

TYPED_TEST(Widening, KeepsSmallValues) {
  const TypeParam value = 42;
  EXPECT_EQ(add(value, 0), 42);
}

class Parity : public ::testing::TestWithParam<int64_t> {};

TEST_P(Parity, DoublingIsEven) {
  EXPECT_EQ(add(GetParam(), GetParam()) % 2, 0);
}

INSTANTIATE_TEST_SUITE_P(Small, Parity, ::testing::Values(1, 2, 3));
