// Timing node-llama-cpp's native calls from outside, for the diagnostics (profile.ts, readout-cost.ts): the
// addon object behind a context (`context._ctx`) is internal to node-llama-cpp, which is why nothing but these
// diagnostics wraps it.

/**
 * Replaces `target[name]` with a wrapper that reports each call's start and end (for a promise, when it settles)
 * to `onTimed`. defineProperty, not assignment: the addon's methods are read-only properties of its prototype.
 */
export function timeMethod(target: object, name: string, onTimed: (start: number, end: number) => void): void {
  const original = (target as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(target, name, {
    configurable: true,
    value(this: unknown, ...args: unknown[]) {
      const start = performance.now();
      const result = original.apply(this, args);
      if (result instanceof Promise) return result.finally(() => onTimed(start, performance.now()));
      onTimed(start, performance.now());
      return result;
    },
  });
}
