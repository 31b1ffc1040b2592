// SPDX-License-Identifier: MIT
import { describe, expect, it } from "vitest";

describe("names that need quoting", () => {
  it('says "hi" and it\'s fine', () => {
    expect("hi").toHaveLength(2);
  });

  it("keeps $(echo pwned) and `backticks` as text", () => {
    expect("$HOME").toContain("$");
  });

  it.each([1, 2])("counts to %i", (n) => {
    expect(n).toBeGreaterThan(0);
  });

  it.todo("is still to be written");
});

describe.skip("not ready", () => {
  it("waits for its suite", () => {
    expect(true).toBe(false);
  });
});
