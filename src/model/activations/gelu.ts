import { normalCdf, normalPdf } from '../../math/special';
import { fixedActivation, SMOOTH } from './types';

/** GELU h Phi(h); phi' = Phi(h) + h pdf(h) crosses zero at h = -0.75, reached by cancellation in float32. */
export const gelu = fixedActivation({
  id: 'gelu',
  label: 'GELU',
  description: 'h·Φ(h), the transformer activation.',
  phi: (h) => h * normalCdf(h),
  dphi: (h) => normalCdf(h) + h * normalPdf(h),
  traits: { ...SMOOTH, zeroAtZero: true, float32Tails: true },
  // 1 - Phi(10) ~ 8e-24.
  quadrature: { breaks: [], smoothBeyond: 10 },
  wgsl: { phi: 'return h * normal_cdf(h);', dphi: 'return normal_cdf(h) + h * 0.3989422804014327 * exp(-0.5 * h * h);' },
});
