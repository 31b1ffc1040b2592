// SPDX-License-Identifier: MIT
import { describe, expect, it, test } from "vitest";

describe("arithmetic", () => {
  it("adds small numbers", () => {
    expect(1 + 2).toBe(3);
  });

  describe("division", () => {
    it("divides evenly", () => {
      expect(6 / 3).toBe(2);
    });

    it("rounds 7 / 2 to 4 (fails on purpose)", () => {
      expect(Math.floor(7 / 2)).toBe(4);
    });
  });

  it.skip("is skipped on purpose", () => {
    expect(true).toBe(false);
  });
});

test("a top-level test", () => {
  expect([1, 2, 3]).toHaveLength(3);
});
