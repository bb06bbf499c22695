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
    description:
      'Large weights (σw² = 4): the top exponents are positive, so tiny input differences grow exponentially with depth. The first 20 layers, where the signal variance settles from q₁ ≈ 4 to q* ≈ 2.2, are left out of the averages (burn-in).',
    // Burn-in: the mean-field top exponent assumes q = q*; measured with 400 samples, lambda_1 with 20 layers
    // discarded is 0.1019 +- 0.0009 against 0.1008 +- 0.0006 for a stationary run (600 layers, 200 discarded).
    query: 'v=1&width=32&depth=200&sw2=4&sb2=0.05&act=tanh&arch=ff&weights=gauss&samples=32&transient=20',
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
  {
    id: 'two-inputs-ff',
    label: 'Two inputs: feedforward tanh',
    description:
      'Two inputs at cosine 0.9 through a chaotic feedforward tanh net (σw² = 2): their cosine falls to 0 exponentially in the layer, a straight line on the linear layer axis of the signal plot. Compare with the ResNet preset.',
    query: 'v=1&width=64&depth=200&sw2=2&sb2=0&act=tanh&arch=ff&c0=0.9&samples=32',
  },
  {
    id: 'two-inputs-res',
    label: 'Two inputs: ResNet tanh',
    description:
      'The same two inputs through a residual tanh net with c = 1: the cosine decays only like a power of the layer, l^(2/π − 1), a straight line on the log layer axis; q grows like l and log |J u| like √l.',
    query: 'v=1&width=64&depth=200&sw2=2&sb2=0&act=tanh&arch=res&alpha=1&ascale=const&c0=0.9&samples=32',
  },
  {
    id: 'convergent-resnet',
    label: 'Convergent ResNet (β = 1.5)',
    description:
      'Residual strength c_l = l^(−1.5): Σ c_l is finite, so the output and the Jacobian converge as the net gets deeper. The gradient panel levels off; the per-layer exponents fall like 1/L, so read L·λ or log σ(J).',
    query: 'v=1&width=32&depth=1000&sw2=1&sb2=0&act=tanh&arch=res&alpha=1&ascale=power&beta=1.5&samples=32',
  },
  {
    id: 'bottleneck-resnet',
    label: 'Bottleneck ResNet (inner = N/4)',
    description:
      'Full residual blocks x + c (V φ(W x + b) + a) with W of shape 16 × 64: products of non-square matrices. Each update has rank at most 16, yet the mean field does not depend on the inner width.',
    query: 'v=1&width=64&depth=100&sw2=2&sb2=0&act=relu&arch=full&inner=16&sv2=1&alpha=1&ascale=sqrtL&samples=32',
  },
  {
    id: 'relu2-residual',
    label: 'ReLU² residual',
    description:
      'φ(h) = max(h, 0)² in a residual net with c = 1/L: fluctuations of |x| are amplified by φ ~ h², so the mean-field curves only describe the trend, and the non-odd φ adds a drifting mean.',
    query: 'v=1&width=32&depth=100&sw2=1&sb2=0&act=relupow&apow=2&arch=res&alpha=1&ascale=L&samples=32',
  },
];
