// The GGUF writer, read back by node-llama-cpp's own GGUF parser: an implementation independent of ours.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { encodeGguf, float32ToFloat16Bits, GgmlTensorType, gguf, GgufValueType, type GgufFile } from "../../tools/forge/gguf-writer.js";
import { temporaryDir, writeGguf } from "../helpers/forged.js";

const dir = temporaryDir();

/** IEEE binary16 bits -> number, written independently of the encoder under test. */
function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

const everyType: GgufFile = {
  metadata: [
    ["general.architecture", gguf.str("llama")],
    ["test.u8", gguf.u8(250)],
    ["test.i8", gguf.i8(-120)],
    ["test.u16", gguf.u16(65000)],
    ["test.i16", gguf.i16(-32000)],
    ["test.u32", gguf.u32(4_000_000_000)],
    ["test.i32", gguf.i32(-2_000_000_000)],
    ["test.f32", gguf.f32(0.25)],
    ["test.bool", gguf.bool(true)],
    ["test.string", gguf.str("ünïcødé ▁words")],
    ["test.u64", gguf.u64(2n ** 40n + 3n)],
    ["test.i64", gguf.i64(-(2n ** 40n))],
    ["test.f64", gguf.f64(Math.PI)],
    ["test.strings", gguf.array(GgufValueType.STRING, ["a", "", "▁b"])],
    ["test.ints", gguf.array(GgufValueType.INT32, [1, -2, 3])],
    ["test.floats", gguf.array(GgufValueType.FLOAT32, [0.5, -1.5])],
  ],
  tensors: [
    { name: "a.f32", dims: [3, 2], type: GgmlTensorType.F32, data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    { name: "b.f16", dims: [5], type: GgmlTensorType.F16, data: Float32Array.from([0.1, -2, 65504, 1e-7, 0]) },
    { name: "c.f32", dims: [7], type: GgmlTensorType.F32, data: Float32Array.from([7, 6, 5, 4, 3, 2, 1]) },
  ],
};

describe("encodeGguf", () => {
  it("writes every metadata value type so that node-llama-cpp reads back the same values", async () => {
    const path = writeGguf(join(dir, "types.gguf"), everyType);
    const info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false });
    expect(info.version).toBe(3);
    const test = (info.metadata as unknown as { test: Record<string, unknown> }).test;
    expect(test).toMatchObject({
      u8: 250,
      i8: -120,
      u16: 65000,
      i16: -32000,
      u32: 4_000_000_000,
      i32: -2_000_000_000,
      f32: 0.25,
      bool: true,
      string: "ünïcødé ▁words",
      f64: Math.PI,
      strings: ["a", "", "▁b"],
      ints: [1, -2, 3],
      floats: [0.5, -1.5],
    });
    expect(BigInt(test.u64 as bigint)).toBe(2n ** 40n + 3n);
    expect(BigInt(test.i64 as bigint)).toBe(-(2n ** 40n));
  });

  it("lays tensors out aligned, with the shapes, types and bytes given", async () => {
    const path = writeGguf(join(dir, "tensors.gguf"), everyType);
    const info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false });
    const bytes = readFileSync(path);
    const tensors = info.fullTensorInfo ?? [];
    expect(tensors.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType])).toEqual([
      ["a.f32", [3, 2], GgmlTensorType.F32],
      ["b.f16", [5], GgmlTensorType.F16],
      ["c.f32", [7], GgmlTensorType.F32],
    ]);
    for (const t of tensors) expect(Number(t.fileOffset) % 32).toBe(0);
    const a = Number(tensors[0]!.fileOffset);
    expect(Array.from({ length: 6 }, (_, i) => bytes.readFloatLE(a + 4 * i))).toEqual([1, 2, 3, 4, 5, 6]);
    const b = Number(tensors[1]!.fileOffset);
    const halves = Array.from({ length: 5 }, (_, i) => float16BitsToNumber(bytes.readUInt16LE(b + 2 * i)));
    expect(halves[0]).toBeCloseTo(0.1, 3);
    expect(halves.slice(1)).toEqual([-2, 65504, float16BitsToNumber(2), 0]);
    const c = Number(tensors[2]!.fileOffset);
    expect(bytes.readFloatLE(c + 4 * 6)).toBe(1);
    expect(bytes.length).toBe(c + 32); // 28 bytes of data, padded to the alignment
  });

  it("is byte-for-byte deterministic", () => {
    expect(encodeGguf(everyType).equals(encodeGguf(everyType))).toBe(true);
  });

  it("refuses a tensor whose data does not fill its shape, and a key written twice", () => {
    expect(() => encodeGguf({ metadata: [], tensors: [{ name: "x", dims: [2, 2], type: GgmlTensorType.F32, data: new Float32Array(3) }] })).toThrow(/2x2 hold 4 values, data has 3/);
    expect(() => encodeGguf({ metadata: [["k", gguf.u8(1)], ["k", gguf.u8(2)]], tensors: [] })).toThrow(/written twice/);
  });
});

describe("float32ToFloat16Bits", () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up to infinity
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // halfway to zero: ties to even
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half: ties to even
    [1 + 3 * 2 ** -11, 0x3c02],
  ])("%d -> 0x%s", (value, bits) => expect(float32ToFloat16Bits(value)).toBe(bits));

  it("keeps NaN a NaN", () => {
    const bits = float32ToFloat16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });

  it("round-trips every finite half value", () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16BitsToNumber(bits);
      if (!Number.isFinite(value)) continue;
      expect(float32ToFloat16Bits(value) === bits || (value === 0 && (bits & 0x7fff) === 0)).toBe(true);
    }
  });
});
