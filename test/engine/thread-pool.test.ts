// The engine decides whether the arms can run side by side from the libuv pool size; it must read
// UV_THREADPOOL_SIZE as libuv does, or a value like "0" would pass for Node's default pool of four.
import { describe, expect, it } from "vitest";
import { threadPoolSize } from "../../src/engine/local/threads.js";

describe("threadPoolSize", () => {
  it("is Node's default of four when the variable is unset", () => {
    expect(threadPoolSize(undefined)).toBe(4);
  });

  it("reads leading digits as C's atoi does", () => {
    expect(threadPoolSize("2")).toBe(2);
    expect(threadPoolSize(" 8")).toBe(8);
    expect(threadPoolSize("2x")).toBe(2);
    expect(threadPoolSize("+3")).toBe(3);
  });

  it("takes 0 and anything without digits as one thread", () => {
    for (const value of ["0", "", "x", "  "]) expect(threadPoolSize(value)).toBe(1);
  });

  it("caps at 1024, and a negative value (unsigned in libuv) is the cap", () => {
    expect(threadPoolSize("5000")).toBe(1024);
    expect(threadPoolSize("-3")).toBe(1024);
  });
});
