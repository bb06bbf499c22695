/** Typographic notation shared by plot labels, tooltips and theory captions. */

const SUBSCRIPT_DIGITS = '₀₁₂₃₄₅₆₇₈₉';

/** λ with its index as subscript digits (λ₁, λ₃₂), so λ₁..λ₃₂ reads as one notation. */
export function lambdaName(index: number): string {
  return `λ${String(index).replace(/[0-9]/g, (d) => SUBSCRIPT_DIGITS[Number(d)]!)}`;
}
