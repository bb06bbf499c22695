/**
 * GPU layer programs: what one layer of an architecture runs on the GPU, chosen by the architecture
 * entry's `gpuProgram` (src/model/architectures/). A new architecture that needs other kernels (another
 * layer map, non-square weights) adds a program here instead of branches in gpu-engine.ts. Programs are
 * cached per device by their key (the program id and its plan's kernel shapes).
 */
import type { GpuLayerProgramId } from '../../model/index';
import type { RunConfig } from '../run-config';
import { GpuBatch, type BatchBuffers, type BatchShape } from './batch';
import { BlockBatch } from './block-batch';
import { describePlan, planGpuRun, type GpuLimits, type GpuPlan } from './limits';
import type { KernelGroup } from './profiler';
import { createBlockPrograms, createPrograms, type Programs } from './programs';

/** Gives the pass a kernel group is encoded into (one pass per group when profiling, else a shared one). */
export type PassFor = (group: KernelGroup) => GPUComputePassEncoder;

/** One batch of a layer program: the shared buffers the engine reads, and the encoding of its layers. */
export interface LayerBatch {
  readonly shape: BatchShape;
  readonly buffers: BatchBuffers;
  /** x_0 is written by the engine; this builds the Haar Q_0 of every sample of the batch. */
  encodeInitialFrame(pass: GPUComputePassEncoder, offset: number): void;
  /** One layer's kernel groups, in order, with the Layer uniform slot at `offset`. */
  encodeLayer(pass: PassFor, offset: number): void;
}

export interface LayerProgram {
  readonly id: GpuLayerProgramId;
  /** Identifies the compiled kernels: the program and its plan's shapes. */
  readonly key: string;
  readonly plan: GpuPlan;
  /** A batch's buffers and bind groups for these kernels (the caller destroys what `track` receives). */
  createBatch(shape: BatchShape, track: (b: GPUBuffer) => void): LayerBatch;
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
    forwardSlots: config.forward.layers.length,
  });
  const kernels: Programs = createPrograms(device, plan);
  return {
    id: 'square',
    key: `square|${describePlan(plan)}`,
    plan,
    createBatch: (shape, track) => {
      const batch = new GpuBatch(device, kernels, plan, shape, track);
      return {
        shape: batch.shape,
        buffers: batch.buffers,
        encodeInitialFrame: (pass, offset) => batch.initialFrame(pass, offset),
        encodeLayer: (pass, offset) => {
          batch.weights(pass('weights'), offset);
          if (batch.hasOrthogonal) batch.orthogonal(pass('orthogonal'), offset);
          batch.forward(pass('forward'), offset);
          batch.jacobian(pass('jacobian'), offset);
          batch.qr(pass('qr'), offset);
        },
      };
    },
  };
}

/**
 * The full residual block (docs/THEORY.md 5.10): x_l = x_{l-1} + c_l (V_l phi(W_l x_{l-1} + b_l) + a_l)
 * with W_l m x N and V_l N x m (block-batch.ts). Square-only ensembles never reach it (modelConflict).
 */
function blockProgram(device: GPUDevice, limits: GpuLimits, input: LayerPlanInput): LayerProgram {
  const { config } = input;
  const plan = planGpuRun(limits, {
    n: config.n,
    k: config.k,
    samples: config.params.samples,
    orthogonalize: false,
    checkpoints: config.checkpoints,
    batchBytes: input.batchBytes,
    singularValues: config.trackSingularValues,
    emulated: input.emulated,
    forwardSlots: config.forward.layers.length,
    inner: config.m,
  });
  const kernels = createBlockPrograms(device, plan);
  return {
    id: 'block',
    key: `block|m=${config.m}|${describePlan(plan)}`,
    plan,
    createBatch: (shape, track) => new BlockBatch(device, kernels, plan, { ...shape, inner: config.m }, track),
  };
}

const FACTORIES: Record<GpuLayerProgramId, (device: GPUDevice, limits: GpuLimits, input: LayerPlanInput) => LayerProgram> = {
  square: squareProgram,
  block: blockProgram,
};

/** The layer program of a run's architecture, planned for the device's limits (GpuLimitError if it cannot fit). */
export function layerProgram(device: GPUDevice, limits: GpuLimits, input: LayerPlanInput): LayerProgram {
  return FACTORIES[input.config.architecture.gpuProgram](device, limits, input);
}
