// The bounded, adaptive spin of the sync kind's round trip (src/sync/spin.ts): what it returns, and
// that it stops spinning after a miss, so a program whose calls are slow or far apart burns little CPU.
import { describe, expect, it } from "vitest";
import { Spin } from "../src/sync/spin.ts";

describe("the sync round trip's spin", () => {
  it("returns what the poll finds, at once when it is there", () => {
    const spin = new Spin(1_000);
    let polls = 0;
    expect(
      spin.poll(() => {
        polls++;
        return polls === 3 ? "answer" : undefined;
      }),
    ).toBe("answer");
    expect(polls).toBe(3);
  });

  it("after a miss, parks at once for the next 15 waits, then tries again", () => {
    const spin = new Spin(5);
    let polls = 0;
    const nothing = () => {
      polls++;
      return undefined;
    };
    expect(spin.poll(nothing)).toBeUndefined();
    expect(polls).toBeGreaterThan(0);
    polls = 0;
    for (let i = 0; i < 15; i++) expect(spin.poll(() => "there")).toBeUndefined();
    expect(spin.poll(nothing)).toBeUndefined();
    expect(polls).toBeGreaterThan(0);
  });

  it("keeps spinning while it finds what it waits for", () => {
    const spin = new Spin(5);
    for (let i = 0; i < 40; i++) expect(spin.poll(() => i)).toBe(i);
  });
});
