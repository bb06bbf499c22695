/**
 * The residual strength c_l of layer l (docs/THEORY.md sections 1 and 5.11): alpha divided by 1, sqrt(L)
 * or L, the same at every layer; or the power-law schedule c_l = alpha l^-beta, which decays with the
 * layer index so that a very deep ResNet converges (sum c_l < infinity for beta > 1; sum c_l^2 < infinity,
 * enough where the increments have zero conditional mean, for beta > 1/2).
 */

/** How alpha is scaled with depth: c = alpha, alpha/sqrt(L), alpha/L, or c_l = alpha l^-beta. */
export const ALPHA_SCALINGS = ['const', 'sqrtL', 'L', 'power'] as const;
export type AlphaScaling = (typeof ALPHA_SCALINGS)[number];

export interface ScheduleKnobs {
  readonly alpha: number;
  readonly ascale: AlphaScaling;
  readonly depth: number;
  /** Decay exponent of ascale=power. */
  readonly beta: number;
}

const DEPTH_SCALE: Record<Exclude<AlphaScaling, 'power'>, (depth: number) => number> = {
  const: () => 1,
  sqrtL: (depth) => Math.sqrt(depth),
  L: (depth) => depth,
};

/** c_l for layer l = 1..L. */
export function residualStrength(k: ScheduleKnobs, layer: number): number {
  if (k.ascale === 'power') return k.beta === 0 ? k.alpha : k.alpha * Math.pow(layer, -k.beta);
  return k.alpha / DEPTH_SCALE[k.ascale](k.depth);
}

/** Whether c_l changes with l (theory that assumes one c does not apply). */
export function scheduleVaries(k: ScheduleKnobs): boolean {
  return k.ascale === 'power' && k.beta !== 0 && k.alpha !== 0;
}
