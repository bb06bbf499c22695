/**
 * GPU layer programs: what one layer of an architecture runs on the GPU, chosen by the architecture
 * entry's `gpuProgram` (src/model/architectures/). A new architecture that needs other kernels (another
 * layer map, non-square weights) adds a program here instead of branches in gpu-engine.ts. Programs are
 * cached per device by their key (the program id and its plan's kernel shapes).
 */
import type { GpuLayerProgramId } from '../../model/index';
import type { RunConfig } from '../run-config';
import { GpuBatch, type BatchShape } from './batch';
import { describePlan, GpuUnsupportedError, planGpuRun, type GpuLimits, type GpuPlan } from './limits';
import type { KernelGroup } from './profiler';
import { createPrograms, type Programs } from './programs';

/** Gives the pass a kernel group is encoded into (one pass per group when profiling, else a shared one). */
export type PassFor = (group: KernelGroup) => GPUComputePassEncoder;

export interface LayerProgram {
  readonly id: GpuLayerProgramId;
  /** Identifies the compiled kernels: the program and its plan's shapes. */
  readonly key: string;
  readonly plan: GpuPlan;
  /** A batch's buffers and bind groups for these kernels (the caller destroys what `track` receives). */
  createBatch(shape: BatchShape, track: (b: GPUBuffer) => void): GpuBatch;
  /** x_0 is written by the engine; this builds the Haar Q_0 of every sample of the batch. */
  encodeInitialFrame(batch: GpuBatch, pass: GPUComputePassEncoder, offset: number): void;
  /** One layer's kernel groups, in order, with the Layer uniform slot at `offset`. */
  encodeLayer(batch: GpuBatch, pass: PassFor, offset: number): void;
}

export interface LayerPlanInput {
  config: RunConfig;
  batchBytes: number;
  emulated: boolean;
}

/**
 * x_l = a x_{l-1} + c phi(W_l x_{l-1} + b_l) with square W_l (feedforward and residual): weights, their
 * orthogonalization where the ensemble asks for it, the forward pass, Z = a Q + c D (W Q), and the QR.
 */
function squareProgram(device: GPUDevice, limits: GpuLimits, input: LayerPlanInput): LayerProgram {
  const { config } = input;
  const orthogonalize = config.ensemble.gpu.orthogonalize;
  const plan = planGpuRun(limits, {
    n: config.n,
    k: config.k,
    samples: config.params.samples,
    orthogonalize,
    checkpoints: config.checkpoints,
    batchBytes: input.batchBytes,
    singularValues: config.trackSingularValues,
    emulated: input.emulated,
  });
  const kernels: Programs = createPrograms(device, plan);
  return {
    id: 'square',
    key: `square|${describePlan(plan)}`,
    plan,
    createBatch: (shape, track) => new GpuBatch(device, kernels, plan, shape, track),
    encodeInitialFrame: (batch, pass, offset) => batch.initialFrame(pass, offset),
    encodeLayer: (batch, pass, offset) => {
      batch.weights(pass('weights'), offset);
      if (batch.hasOrthogonal) batch.orthogonal(pass('orthogonal'), offset);
      batch.forward(pass('forward'), offset);
      batch.jacobian(pass('jacobian'), offset);
      batch.qr(pass('qr'), offset);
    },
  };
}

const FACTORIES: Record<GpuLayerProgramId, (device: GPUDevice, limits: GpuLimits, input: LayerPlanInput) => LayerProgram> = {
  square: squareProgram,
  block: () => {
    throw new GpuUnsupportedError('the GPU engine has no program for the full residual block yet; it runs on the CPU engine');
  },
};

/** The layer program of a run's architecture, planned for the device's limits (GpuLimitError if it cannot fit). */
export function layerProgram(device: GPUDevice, limits: GpuLimits, input: LayerPlanInput): LayerProgram {
  return FACTORIES[input.config.architecture.gpuProgram](device, limits, input);
}
