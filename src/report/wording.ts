// Every sentence a reader sees about the decision and the figures behind it. decision.ts and cost.ts return
// data; the report builder and the renderers turn it into words here, so one phrase has one spelling.
import { ARM_DISPLAY, type ArmName } from "../types.js";

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An arm's name at the start of a sentence or as a column heading. */
export function armHeading(arm: ArmName): string {
  return capitalise(ARM_DISPLAY[arm]);
}
