/**
 * What an activation is, in one place: phi and phi' in float64, their WGSL twins, the Gaussian moments
 * mean-field theory needs (closed forms where they exist, quadrature hints otherwise) and the traits that
 * decide which engine rule and which theory applies. Engines, theory, params and the UI read these
 * entries; none of them names an activation.
 */

/** Moments at h = sqrt(q) z, z ~ N(0, 1): E phi, E phi^2, E phi'^2, E phi'^4 (Infinity where divergent). */
export interface GaussianMoments {
  ephi: number;
  ephi2: number;
  edphi2: number;
  edphi4: number;
}

export interface ActivationTraits {
  /** phi(-h) = -phi(h): residual nets then have no mean drift (docs/THEORY.md 5.7f). */
  readonly odd: boolean;
  /** phi(0) = 0, so q = 0 is a fixed point of the bias-free variance map. */
  readonly zeroAtZero: boolean;
  /** phi(h) = h: the network is a product of random matrices. */
  readonly identity: boolean;
  /**
   * phi(t h) = t^d phi(h) for t > 0 (linear and ReLU: d = 1; relupow: d = a), else null. With d = 1 the
   * law of phi'(sqrt(q) z) does not depend on q and the bias-free variance map is linear.
   */
  readonly homogeneousDegree: number | null;
  /** phi'^2 takes exactly the two values 0 and 1, both with positive probability (ReLU, hard tanh): D^2 is a random projection. */
  readonly binaryDerivative: boolean;
  /**
   * phi' = 0 on a set of positive probability: those zeros make the layer Jacobian exactly singular, so
   * the engines count them instead of trusting a floating-point threshold (docs/THEORY.md section 2).
   */
  readonly structuralZeros: boolean;
  /** phi' is continuous at h = 0 (so a variance q* = 0 gives the constant D = phi'(0)). */
  readonly smoothAtZero: boolean;
  /**
   * phi' has tails far below float32 resolution in reach of the pre-activations (erf's Gaussian tails,
   * GELU's zero crossing reached by cancellation): the float32 engine's bottom exponent can read high.
   */
  readonly float32Tails: boolean;
  /**
   * phi tends to finite limits as h -> +-infinity (tanh, erf, hard tanh, sigmoid): in residual nets the
   * variance then grows linearly and, for odd phi, the laws of docs/THEORY.md 5.15 are power laws.
   */
  readonly saturates: boolean;
}

/** Where the quadrature must be careful: kinks or jumps of phi or phi' (in h), and |h| beyond which phi is smooth. */
export interface QuadratureHints {
  readonly breaks: readonly number[];
  /** |h| beyond which phi is constant or linear up to < 1e-17 relative (Infinity: nowhere). */
  readonly smoothBeyond: number;
}

/** An activation at one shape value: everything engines and theory compute with. */
export interface ActivationModel {
  readonly id: string;
  /** Distinguishes shape values ('relupow:1.5'); the id alone where there is no shape. */
  readonly key: string;
  readonly label: string;
  /** The shape value (relupow's apow), or 0 where there is none; the GPU receives it as `theta`. */
  readonly shape: number;
  phi(h: number): number;
  dphi(h: number): number;
  readonly traits: ActivationTraits;
  readonly quadrature: QuadratureHints;
  /** Closed-form moments at variance q >= 0 (q = 0: the q -> 0+ limit), or null: use quadrature. */
  closedMoments(q: number): GaussianMoments | null;
  /**
   * Closed-form E[phi(u_1) phi(u_2)] for centred Gaussians with variances q1, q2 and covariance q12, or
   * null where none is known (the theory integrates numerically then).
   */
  closedKernel(q1: number, q2: number, q12: number): number | null;
}

/** WGSL bodies of phi and phi' over `h: f32` and the shape `theta: f32`, each ending in a return. */
export interface ActivationWgsl {
  readonly phi: string;
  readonly dphi: string;
}

/** A shape knob (a Params field) an activation reads, such as relupow's exponent apow. */
export type ShapeKnob = 'apow';

/** One row of the activation registry. */
export interface ActivationEntry<Id extends string = string> {
  readonly id: Id;
  readonly label: string;
  /** Other spellings users type; accepted with a correction naming the canonical id. */
  readonly aliases?: readonly string[];
  /** Shown beside the menu entry. */
  readonly description: string;
  /** The Params field this activation's shape comes from, if it has one. */
  readonly shapeKnob?: ShapeKnob;
  readonly wgsl: ActivationWgsl;
  /** The activation at a shape value (the value is ignored without a shape knob). */
  at(shape: number): ActivationModel;
}

/** What a fixed (shapeless) activation declares; `define` turns it into an entry. */
export interface FixedActivation<Id extends string> extends Omit<ActivationModel, 'id' | 'key' | 'label' | 'shape' | 'closedMoments' | 'closedKernel'> {
  readonly id: Id;
  readonly label: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  readonly wgsl: ActivationWgsl;
  closedMoments?(q: number): GaussianMoments | null;
  closedKernel?(q1: number, q2: number, q12: number): number | null;
}

/** An entry for an activation without a shape knob: `at` always returns the same model. */
export function fixedActivation<const Id extends string>(spec: FixedActivation<Id>): ActivationEntry<Id> {
  const model: ActivationModel = {
    id: spec.id,
    key: spec.id,
    label: spec.label,
    shape: 0,
    phi: spec.phi,
    dphi: spec.dphi,
    traits: spec.traits,
    quadrature: spec.quadrature,
    closedMoments: spec.closedMoments ?? (() => null),
    closedKernel: spec.closedKernel ?? (() => null),
  };
  return {
    id: spec.id,
    label: spec.label,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    description: spec.description,
    wgsl: spec.wgsl,
    at: () => model,
  };
}

/** Traits of a smooth activation that is not linear; entries override what differs. */
export const SMOOTH: ActivationTraits = {
  odd: false,
  zeroAtZero: false,
  identity: false,
  homogeneousDegree: null,
  binaryDerivative: false,
  structuralZeros: false,
  smoothAtZero: true,
  float32Tails: false,
  saturates: false,
};

/** Correlation of (u_1, u_2) from variances and covariance, clamped to [-1, 1] against rounding. */
export function correlation(q1: number, q2: number, q12: number): number {
  const d = Math.sqrt(q1 * q2);
  return d > 0 ? Math.max(-1, Math.min(1, q12 / d)) : 0;
}
