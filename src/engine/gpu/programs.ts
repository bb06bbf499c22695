/**
 * One small program object per WGSL kernel: its source (shared headers + the kernel file), its bind
 * group layout and pipeline. Every kernel takes the per-layer uniform at binding 0 with a dynamic
 * offset, so a chunk of layers is one command buffer with one uniform buffer of 256-byte slots.
 * Workgroup sizes and workgroup array lengths are pipeline-overridable constants chosen from the
 * device limits (limits.ts); pipelines are cached per device and per constants (the cache key).
 */
import weightsWgsl from '../../../shaders/weights.wgsl?raw';
import forwardWgsl from '../../../shaders/forward.wgsl?raw';
import jacobianWgsl from '../../../shaders/jacobian.wgsl?raw';
import jacobianTiledWgsl from '../../../shaders/jacobian-tiled.wgsl?raw';
import framesWgsl from '../../../shaders/frame.wgsl?raw';
import qrPanelWgsl from '../../../shaders/qr-panel.wgsl?raw';
import qrApplyWgsl from '../../../shaders/qr-apply.wgsl?raw';
import qrFinishWgsl from '../../../shaders/qr-finish.wgsl?raw';
import orthWeightsWgsl from '../../../shaders/orthogonal-weights.wgsl?raw';
import blockWeightsWgsl from '../../../shaders/block-weights.wgsl?raw';
import blockInnerWgsl from '../../../shaders/block-inner.wgsl?raw';
import blockOuterWgsl from '../../../shaders/block-outer.wgsl?raw';
import blockJacobianInnerWgsl from '../../../shaders/block-jacobian-inner.wgsl?raw';
import blockJacobianOuterWgsl from '../../../shaders/block-jacobian-outer.wgsl?raw';
import matmulRegisterWgsl from '../../../shaders/matmul-register.wgsl?raw';
import type { GpuPlan, MatmulPlan, QrPlan } from './limits';
import { LAYER_UNIFORM_BYTES, UNIFORM_SLOT } from './layer-uniform';
import { describeTiledShape, tiledMatmulSource } from './tiled-matmul';
import { shaderPrelude } from './wgsl';

export { UNIFORM_SLOT };

type Access = 'read' | 'rw';

export interface Program {
  readonly name: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** Pipeline-overridable constants (WGSL bool overrides take 0 or 1). */
type Constants = Record<string, number>;

/**
 * Bindings: 0 is the Layer uniform; the QR kernels (`panel`) also take the Panel uniform at 1; the
 * storage buffers follow in order. Both uniforms have dynamic offsets.
 */
function makeProgram(device: GPUDevice, name: string, source: string, storage: Access[], constants: Constants, panel: boolean, entryPoint: string): Program {
  const uniforms = panel ? 2 : 1;
  const layout = device.createBindGroupLayout({
    label: name,
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: LAYER_UNIFORM_BYTES } },
      ...(panel ? [{ binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' as const, hasDynamicOffset: true, minBindingSize: 16 } }] : []),
      ...storage.map((access, i) => ({
        binding: i + uniforms,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
      })),
    ],
  });
  const module = device.createShaderModule({ label: name, code: `${shaderPrelude()}\n${source}` });
  const pipeline = device.createComputePipeline({
    label: name,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint, constants },
  });
  return { name, pipeline, layout };
}

/**
 * The blocked QR (qr-*.wgsl) in one plan's shapes: panel factorization, trailing update (factor), log
 * sums (finish), forming Q (form). factor and form are qr-apply.wgsl's `main` alone, or its `apply_w`
 * then `apply_update` (QrPlan.splitApply).
 */
export interface QrPrograms {
  panel: Program;
  factor: Program[];
  finish: Program;
  form: Program[];
}

export interface Programs {
  weights: Program;
  /** forward.wgsl's two entry points: the rows of h = W x + b, then the per-sample tallies. */
  forwardRows: Program;
  forwardFinish: Program;
  jacobian: Program;
  /** The QR of the Jacobian product (N x k). */
  qr: QrPrograms;
  /** The initial frame's Gaussian (frame.wgsl), which the QR kernels turn into Q_0. */
  frame: Program;
  /** Only for orthogonal weights: the QR of the N x N Gaussian (the same programs as qr when k = N), and W = w_scale O. */
  orthQr: QrPrograms | null;
  orthWeights: Program | null;
}

type KernelName =
  | 'weights'
  | 'forward'
  | 'jacobian'
  | 'jacobianTiled'
  | 'qrPanel'
  | 'qrApply'
  | 'qrFinish'
  | 'frame'
  | 'orthWeights'
  | 'blockWeights'
  | 'blockInner'
  | 'blockOuter'
  | 'blockJacobianInner'
  | 'blockJacobianOuter';

const KERNELS = {
  weights: { source: weightsWgsl, storage: ['rw'], panel: false },
  // W, X, XN, D, stats, X2, XN2, FWD
  forward: { source: forwardWgsl, storage: ['read', 'rw', 'rw', 'rw', 'rw', 'rw', 'rw', 'rw'], panel: false },
  jacobian: { source: jacobianWgsl, storage: ['read', 'read', 'read', 'rw'], panel: false },
  // The tiled kernel's source depends on its shape (consts): see jacobianProgram.
  jacobianTiled: { source: jacobianTiledWgsl, storage: ['read', 'read', 'read', 'rw'], panel: false },
  // Z, T
  qrPanel: { source: qrPanelWgsl, storage: ['rw', 'rw'], panel: true },
  // Z, Q, T, W (the split apply's)
  qrApply: { source: qrApplyWgsl, storage: ['rw', 'rw', 'read', 'rw'], panel: true },
  // Z, Q, sums, compensations, dead, stats, grad, FWD
  qrFinish: { source: qrFinishWgsl, storage: ['read', 'rw', 'rw', 'rw', 'rw', 'read', 'rw', 'rw'], panel: true },
  frame: { source: framesWgsl, storage: ['rw'], panel: false },
  // O, W
  orthWeights: { source: orthWeightsWgsl, storage: ['read', 'rw'], panel: false },
  // The full residual block (docs/THEORY.md 5.10). W, V
  blockWeights: { source: blockWeightsWgsl, storage: ['rw', 'rw'], panel: false },
  // W, X, X2, H = [D | phi(h) | phi(h2)], stats
  blockInner: { source: blockInnerWgsl, storage: ['read', 'read', 'read', 'rw', 'rw'], panel: false },
  // V, H, X, X2, XN, XN2, stats
  blockOuter: { source: blockOuterWgsl, storage: ['read', 'read', 'read', 'read', 'rw', 'rw', 'rw'], panel: false },
  // Hooks in front of a matmul body (see blockMatmulProgram). W, Q, H, Y / V, Y, Q, Z
  blockJacobianInner: { source: blockJacobianInnerWgsl, storage: ['read', 'read', 'read', 'rw'], panel: false },
  blockJacobianOuter: { source: blockJacobianOuterWgsl, storage: ['read', 'read', 'read', 'rw'], panel: false },
} satisfies Record<KernelName, { source: string; storage: Access[]; panel: boolean }>;

const cache = new WeakMap<GPUDevice, Map<string, Program>>();

/**
 * The kernel's program for these constants (and entry point), compiled once per device. `variant`
 * names a source rewritten by `shape` (the tiled matmul's consts), and is part of the cache key.
 */
function program(
  device: GPUDevice,
  name: KernelName,
  constants: Constants,
  variant?: { key: string; shape: (source: string) => string },
  entryPoint = 'main',
): Program {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  const key = `${name} ${entryPoint} ${JSON.stringify(constants)} ${variant?.key ?? ''}`;
  let p = perDevice.get(key);
  if (!p) {
    const { source, storage, panel } = KERNELS[name];
    p = makeProgram(device, name, variant ? variant.shape(source) : source, storage, constants, panel, entryPoint);
    perDevice.set(key, p);
  }
  return p;
}

/** The jacobian product's program: the tiled kernel in the plan's shape, or the register kernel. */
function jacobianProgram(device: GPUDevice, plan: MatmulPlan): Program {
  if (plan.kind === 'register') return program(device, 'jacobian', { TX: plan.tileX, TY: plan.tileY });
  const { shape } = plan;
  return program(device, 'jacobianTiled', {}, { key: describeTiledShape(shape), shape: (hooks) => tiledMatmulSource(shape, hooks) });
}

/** qr-panel.wgsl for this plan: its register array's length is a const in front of the source. */
function qrPanelProgram(device: GPUDevice, qr: QrPlan): Program {
  const { workgroupSize, rowGroups, rowsPerSlot, slotsPerInvocation } = qr.panel;
  const consts = `const RPI: u32 = ${rowsPerSlot}u;\nconst SPI: u32 = ${slotsPerInvocation}u;\n`;
  return program(device, 'qrPanel', { WG: workgroupSize, PB: qr.panelWidth, G: rowGroups }, { key: consts, shape: (source) => consts + source });
}

/** The QR programs of one plan. qrFactor and qrForm are one kernel with different constants. */
function qrPrograms(device: GPUDevice, qr: QrPlan): QrPrograms {
  const apply = { PB: qr.panelWidth, TC: qr.applyColumns, RB: qr.applyRows };
  const entries = qr.splitApply ? ['apply_w', 'apply_update'] : ['main'];
  const applyPrograms = (form: number) => entries.map((entry) => program(device, 'qrApply', { ...apply, FORM_Q: form }, undefined, entry));
  return {
    panel: qrPanelProgram(device, qr),
    factor: applyPrograms(0),
    finish: program(device, 'qrFinish', { WG: qr.workgroupSize }),
    form: applyPrograms(1),
  };
}

/** The kernels of the square dense layer program with the workgroup sizes and array lengths of its plan. */
export function createPrograms(device: GPUDevice, plan: Pick<GpuPlan, 'workgroupSize' | 'forwardRowGroup' | 'matmul' | 'qr' | 'orthQr'>): Programs {
  const wg = plan.workgroupSize;
  return {
    weights: program(device, 'weights', { WG: wg }),
    forwardRows: program(device, 'forward', { WG: wg, GR: plan.forwardRowGroup }, undefined, 'rows'),
    forwardFinish: program(device, 'forward', { WG: wg, GR: plan.forwardRowGroup }, undefined, 'finish'),
    jacobian: jacobianProgram(device, plan.matmul),
    qr: qrPrograms(device, plan.qr),
    frame: program(device, 'frame', { WG: wg }),
    orthQr: plan.orthQr ? qrPrograms(device, plan.orthQr) : null,
    orthWeights: plan.orthQr ? program(device, 'orthWeights', { WG: wg }) : null,
  };
}

/** The full residual block's kernels (docs/THEORY.md 5.10); the QR and the initial frame are the square program's. */
export interface BlockPrograms {
  weights: Program;
  inner: Program;
  outer: Program;
  /** forward.wgsl's finish: x <- x', the overflow marker, the forward block's sums. */
  finish: Program;
  jacobianInner: Program;
  jacobianOuter: Program;
  qr: QrPrograms;
  frame: Program;
}

/** A hooks file with the plan's matmul body: the tiled kernel on GPUs, the register kernel on emulations. */
function blockMatmulProgram(device: GPUDevice, name: 'blockJacobianInner' | 'blockJacobianOuter', plan: MatmulPlan): Program {
  if (plan.kind === 'register')
    return program(device, name, { TX: plan.tileX, TY: plan.tileY }, { key: 'register', shape: (hooks) => `${hooks}\n${matmulRegisterWgsl}` });
  const { shape } = plan;
  return program(device, name, {}, { key: describeTiledShape(shape), shape: (hooks) => tiledMatmulSource(shape, hooks) });
}

export function createBlockPrograms(device: GPUDevice, plan: Pick<GpuPlan, 'workgroupSize' | 'forwardRowGroup' | 'matmul' | 'qr'>): BlockPrograms {
  const wg = plan.workgroupSize;
  const rows = { WG: wg, GR: plan.forwardRowGroup };
  return {
    weights: program(device, 'blockWeights', { WG: wg }),
    inner: program(device, 'blockInner', rows),
    outer: program(device, 'blockOuter', rows),
    finish: program(device, 'forward', rows, undefined, 'finish'),
    jacobianInner: blockMatmulProgram(device, 'blockJacobianInner', plan.matmul),
    jacobianOuter: blockMatmulProgram(device, 'blockJacobianOuter', plan.matmul),
    qr: qrPrograms(device, plan.qr),
    frame: program(device, 'frame', { WG: wg }),
  };
}

/**
 * The Panel uniforms of a QR with k columns in panels of `panelWidth`: slot p holds panel p's
 * columns; slot P (the number of panels) is qr-finish's for a layer, slot P + 1 its Haar variant for
 * the initial frame Q_0.
 */
export function panelUniforms(k: number, panelWidth: number): { data: ArrayBuffer; panels: number; finishSlot: number; haarSlot: number } {
  const panels = Math.ceil(k / panelWidth);
  const data = new ArrayBuffer((panels + 2) * UNIFORM_SLOT);
  for (let p = 0; p < panels + 2; p++) {
    const u = new Uint32Array(data, p * UNIFORM_SLOT, 4);
    if (p < panels) {
      u[0] = p * panelWidth;
      u[1] = Math.min(k, (p + 1) * panelWidth);
    }
    u[2] = p === panels + 1 ? 1 : 0;
    u[3] = k;
  }
  return { data, panels, finishSlot: panels, haarSlot: panels + 1 };
}
