/**
 * Ready-made settings for teaching. Each preset is a URL query, so it goes through the same codec as a shared
 * link (and a test checks that each parses without corrections). Widths and sample counts stay ≤ 64 so every
 * preset runs in seconds on a CPU, without a GPU.
 */

export interface Preset {
  /** Stable identifier (used in menus and tests). */
  readonly id: string;
  readonly label: string;
  /** One or two sentences: what to look at. */
  readonly description: string;
  /** URL query string without '?'; parameters not named keep their defaults. */
  readonly query: string;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'linear-theory',
    label: 'Linear network vs exact theory',
    description:
      'A linear network with Gaussian weights: products of random matrices, whose Lyapunov spectrum is known exactly. The measured exponents should sit on the theory curve.',
    query: 'v=1&width=16&depth=200&sw2=1&sb2=0&act=linear&arch=ff&weights=gauss&samples=32',
  },
  {
    id: 'tanh-critical',
    label: 'tanh at the edge of chaos',
    description:
      'σw² ≈ 1.7610 is the critical value for tanh with σb² = 0.05: the largest exponent is close to zero, so perturbations neither die out nor blow up.',
    query: 'v=1&width=32&depth=200&sw2=1.7609546396&sb2=0.05&act=tanh&arch=ff&weights=gauss&samples=32',
  },
  {
    id: 'tanh-ordered',
    label: 'tanh, ordered phase',
    description: 'Small weights (σw² = 0.5): every exponent is negative, so nearby inputs converge and the network forgets its input.',
    query: 'v=1&width=32&depth=200&sw2=0.5&sb2=0.05&act=tanh&arch=ff&weights=gauss&samples=32',
  },
  {
    id: 'tanh-chaotic',
    label: 'tanh, chaotic phase',
    description: 'Large weights (σw² = 4): the top exponents are positive, so tiny input differences grow exponentially with depth.',
    query: 'v=1&width=32&depth=200&sw2=4&sb2=0.05&act=tanh&arch=ff&weights=gauss&samples=32',
  },
  {
    id: 'relu-he',
    label: 'ReLU with He initialisation',
    description: 'ReLU with σw² = 2 and no bias keeps the signal size constant on average, yet the spectrum still spreads out.',
    query: 'v=1&width=32&depth=200&sw2=2&sb2=0&act=relu&arch=ff&weights=gauss&samples=32',
  },
  {
    id: 'resnet-sqrtL',
    label: 'ResNet with α = 1/√L',
    description: 'A residual network whose updates shrink like 1/√L: the exponents stay close to zero even though each layer is random.',
    query: 'v=1&width=32&depth=200&sw2=1&sb2=0&act=tanh&arch=res&alpha=1&ascale=sqrtL&weights=gauss&samples=32',
  },
  {
    id: 'orth-isometry',
    label: 'Orthogonal tanh near dynamical isometry',
    description:
      'Orthogonal weights with σw² slightly above 1 and a tiny bias: the exponents bunch up near zero, so all directions are transmitted almost equally.',
    query: 'v=1&width=32&depth=100&sw2=1.05&sb2=2.01e-5&act=tanh&arch=ff&weights=orth&samples=32',
  },
  {
    id: 'sparse-linear',
    label: 'Sparse weights',
    description: 'A linear network where only 10% of the weights are nonzero (rescaled to keep the variance): compare with the dense Gaussian case.',
    query: 'v=1&width=64&depth=50&sw2=1&sb2=0&act=linear&arch=ff&weights=sparse&p=0.1&samples=32',
  },
];
