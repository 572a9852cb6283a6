import { ARM_DISPLAY, type ArmName, type ArmPrices, type CostConfig } from "./types.js";

/** A month, for cost figures, is 30 days. */
export const DAYS_PER_MONTH = 30;

/** Mean tokens one production call of an arm sends and receives, as measured on the suite. */
export interface MeasuredTokens {
  promptTokensPerCall: number;
  outputTokensPerCall: number;
}

export interface ArmCost {
  promptTokensPerCall: number;
  outputTokensPerCall: number;
  prices: ArmPrices;
  perCall: number;
  perDay: number;
  perMonth: number;
}

/** Why there is no break-even figure. */
export type NoBreakEven = "no-one-off-cost" | "few-shot-cheaper" | "same-cost";

export interface CostEstimate {
  currency: string;
  callsPerDay: number;
  daysPerMonth: typeof DAYS_PER_MONTH;
  fewShot: ArmCost;
  lora: ArmCost;
  /** Few-shot prompt tokens per call minus LoRA's: the examples the few-shot arm re-sends on every call. */
  extraPromptTokensPerCall: number;
  /** The arm that is cheaper per call; null when they cost the same. */
  cheaperArm: ArmName | null;
  /** What the cheaper arm saves per day (≥ 0). */
  dailySaving: number;
  monthlySaving: number;
  fineTuneOneOff: number | null;
  /** Days of LoRA's saving that repay `fineTuneOneOff`; null with `noBreakEven` saying why. */
  breakEvenDays: number | null;
  noBreakEven: NoBreakEven | null;
}

/**
 * Money and day figures keep 12 significant digits: enough for any price table, and it drops binary
 * floating-point noise (9.120000000000001, 99.99999999999999) from the JSON other tools read.
 */
export function roundFigure(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
}

function armCost(arm: ArmName, tokens: MeasuredTokens, prices: ArmPrices, callsPerDay: number): ArmCost {
  requireNonNegative(`${ARM_DISPLAY[arm]} prompt tokens per call`, tokens.promptTokensPerCall);
  requireNonNegative(`${ARM_DISPLAY[arm]} output tokens per call`, tokens.outputTokensPerCall);
  requireNonNegative(`${ARM_DISPLAY[arm]} input price per million`, prices.inputPerMillion);
  requireNonNegative(`${ARM_DISPLAY[arm]} output price per million`, prices.outputPerMillion);
  const perMillionCalls = tokens.promptTokensPerCall * prices.inputPerMillion + tokens.outputTokensPerCall * prices.outputPerMillion;
  const perDay = roundFigure((perMillionCalls * callsPerDay) / 1_000_000);
  return {
    promptTokensPerCall: tokens.promptTokensPerCall,
    outputTokensPerCall: tokens.outputTokensPerCall,
    prices: { ...prices },
    perCall: roundFigure(perMillionCalls / 1_000_000),
    perDay,
    perMonth: roundFigure(perDay * DAYS_PER_MONTH),
  };
}

/**
 * What each arm would cost in production at the suite's volume, from the tokens measured per call and the
 * configured prices, and how long LoRA's saving takes to repay a one-off fine-tuning cost.
 */
export function estimateCost(config: CostConfig, callsPerDay: number, tokens: Record<ArmName, MeasuredTokens>): CostEstimate {
  requireNonNegative("calls per day", callsPerDay);
  if (config.fineTuneOneOff !== undefined) requireNonNegative("fine_tune_one_off", config.fineTuneOneOff);
  const fewShot = armCost("few_shot", tokens.few_shot, config.fewShot, callsPerDay);
  const lora = armCost("lora", tokens.lora, config.lora, callsPerDay);
  const cheaperArm: ArmName | null = lora.perCall < fewShot.perCall ? "lora" : fewShot.perCall < lora.perCall ? "few_shot" : null;
  const dailySaving = cheaperArm === null ? 0 : roundFigure(Math.abs(fewShot.perDay - lora.perDay));
  const fineTuneOneOff = config.fineTuneOneOff ?? null;

  let breakEvenDays: number | null = null;
  let noBreakEven: NoBreakEven | null = null;
  if (fineTuneOneOff === null) noBreakEven = "no-one-off-cost";
  else if (cheaperArm === "few_shot") noBreakEven = "few-shot-cheaper";
  // Cheaper per call but zero calls a day is still no saving at all.
  else if (cheaperArm === null || dailySaving === 0) noBreakEven = "same-cost";
  else breakEvenDays = roundFigure(fineTuneOneOff / dailySaving);
  // A saving so small that dividing by it overflows is no saving either.
  if (breakEvenDays !== null && !Number.isFinite(breakEvenDays)) {
    breakEvenDays = null;
    noBreakEven = "same-cost";
  }
  for (const [name, value] of Object.entries({ fewShotPerMonth: fewShot.perMonth, loraPerMonth: lora.perMonth })) {
    if (!Number.isFinite(value)) throw new RangeError(`cost figure ${name} overflows: check prices and volume`);
  }

  return {
    currency: config.currency,
    callsPerDay,
    daysPerMonth: DAYS_PER_MONTH,
    fewShot,
    lora,
    extraPromptTokensPerCall: fewShot.promptTokensPerCall - lora.promptTokensPerCall,
    cheaperArm,
    dailySaving,
    monthlySaving: roundFigure(dailySaving * DAYS_PER_MONTH),
    fineTuneOneOff,
    breakEvenDays,
    noBreakEven,
  };
}
