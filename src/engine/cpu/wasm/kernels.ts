/**
 * The WebAssembly SIMD kernels (kernels.wat) and the arena that places the engine's matrices in their
 * memory. Where WebAssembly SIMD is missing (or compiling fails) the engine uses the JavaScript kernels,
 * which compute the same thing 3-4x slower.
 */
import { KERNELS_WASM_BASE64 } from './kernels-binary';
import { applyReflector, matmulWQ, type DenseKernels } from '../linalg';

interface KernelExports {
  matmulWQ(w: number, q: number, out: number, n: number, k: number): void;
  applyReflector(vcol: number, j: number, t: number, x: number, c0: number, c1: number, n: number): void;
  philoxFill(out: number, first: number, count: number, layer: number, tag: number, seed: number, sample: number): void;
  boxMuller(raw: number, out: number, blocks: number, scale: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. Compiled once per thread. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const binary = Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
      compiled = new WebAssembly.Module(binary);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;

/**
 * A fixed-size region of WebAssembly memory from which Float64Arrays are carved. It never grows after
 * creation (growing would detach every view), so the caller sizes it up front.
 */
export class WasmArena {
  readonly exports: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private top = 0;

  constructor(module: WebAssembly.Module, doubles: number) {
    const pages = Math.ceil((doubles * 8 + 64) / PAGE);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
  }

  /** A zeroed Uint32Array of `length` words, 16-byte aligned. */
  allocUint32(length: number): Uint32Array {
    const view = new Uint32Array(this.memory.buffer, this.top, length);
    this.top += Math.ceil((length * 4) / 16) * 16;
    return view;
  }

  /** A zeroed Float64Array of `length` doubles, 16-byte aligned. */
  alloc(length: number): Float64Array {
    const view = new Float64Array(this.memory.buffer, this.top, length);
    this.top += Math.ceil((length * 8) / 16) * 16;
    return view;
  }

  owns(a: Float64Array | Uint32Array): boolean {
    return a.buffer === this.memory.buffer;
  }
}

/**
 * Kernels running in the arena's module. Arrays outside the arena, and matmul shapes the SIMD kernel does
 * not cover (N % 4 != 0 or k odd), go to the JavaScript kernels.
 */
export function wasmKernels(arena: WasmArena): DenseKernels {
  const ex = arena.exports;
  return {
    name: 'wasm-simd',
    matmulWQ(w, q, out, n, k) {
      if (n % 4 === 0 && k % 2 === 0 && arena.owns(w) && arena.owns(q) && arena.owns(out)) {
        ex.matmulWQ(w.byteOffset, q.byteOffset, out.byteOffset, n, k);
      } else {
        matmulWQ(w, q, out, n, k);
      }
    },
    reflect(v, vOff, j, t, x, c0, c1, n) {
      if (arena.owns(v) && arena.owns(x)) ex.applyReflector(v.byteOffset + 8 * vOff, j, t, x.byteOffset, c0, c1, n);
      else applyReflector(v, vOff, j, t, x, c0, c1, n);
    },
  };
}
