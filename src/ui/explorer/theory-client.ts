/**
 * Asks the theory worker for overlays and caches the answers by key. `get` returns the cached value or
 * undefined (and starts the computation once); `onReady` fires when an answer arrives so the element can
 * re-render. Where workers cannot start (tests in happy-dom, a strict CSP), it computes in-line instead.
 */
import { activationOf } from '../../model/index';
import type { Params } from '../../params/types';
import type { DensityVariableSpec, PhasePlotData, SignalTheory, TheoryCurve } from '../../theory/overlays';
import { answer, type TheoryRequest, type TheoryResponse } from './theory-protocol';
import TheoryWorker from './theory-worker?worker&inline';

/** Answers kept; older keys are dropped first. */
const CACHE_SIZE = 64;

/** What a failed computation shows: no curve (the catalogue caption still says what applies). */
function failed(keyOrKind: string): unknown {
  if (keyOrKind.startsWith('phase')) return null;
  if (keyOrKind.startsWith('signal')) return { curves: { q: [], c: [], dist: [], grad: [] }, notes: [] } satisfies SignalTheory;
  return [];
}

export class TheoryClient {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly cache = new Map<string, unknown>();
  private readonly pending = new Map<number, string>();
  private readonly requested = new Set<string>();

  constructor(private readonly onReady: () => void) {
    try {
      this.worker = typeof Worker === 'function' ? new TheoryWorker() : null;
    } catch {
      this.worker = null;
    }
    if (this.worker) {
      this.worker.onmessage = (e: MessageEvent<TheoryResponse>) => this.receive(e.data);
      this.worker.onerror = () => {
        // A worker that cannot load: compute in-line from now on.
        this.worker?.terminate();
        this.worker = null;
        this.requested.clear();
        this.onReady();
      };
    }
  }

  private store(key: string, value: unknown): void {
    this.cache.set(key, value);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }

  private receive(res: TheoryResponse): void {
    const key = this.pending.get(res.id);
    this.pending.delete(res.id);
    if (key === undefined) return;
    this.requested.delete(key);
    // A failed computation shows no curve (the catalogue caption still says what applies).
    this.store(key, 'error' in res ? failed(key) : res.value);
    this.onReady();
  }

  private get<T>(key: string, req: Omit<TheoryRequest, 'id'>): T | undefined {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    if (!this.worker) {
      let value: unknown;
      try {
        value = answer(req);
      } catch {
        value = failed(req.kind);
      }
      this.store(key, value);
      return value as T;
    }
    if (!this.requested.has(key)) {
      this.requested.add(key);
      const id = ++this.nextId;
      this.pending.set(id, key);
      this.worker.postMessage({ ...req, id });
    }
    return undefined;
  }

  spectrum(p: Params, key: string): TheoryCurve[] | undefined {
    return this.get(`spectrum|${key}`, { kind: 'spectrum', params: p });
  }

  density(p: Params, key: string, variable: DensityVariableSpec, finiteFraction: number): TheoryCurve[] | undefined {
    // The fraction is rounded so that a stream of snapshots does not request a new curve each time.
    const f = Math.round(finiteFraction * 1000) / 1000;
    return this.get(`density|${key}|${variable.squared}|${variable.perLayer}|${f}`, { kind: 'density', params: p, variable, finiteFraction: f });
  }

  signal(p: Params, key: string): SignalTheory | undefined {
    return this.get(`signal|${key}`, { kind: 'signal', params: p });
  }

  phase(p: Params): PhasePlotData | null | undefined {
    const key = `phase|${activationOf(p).key}|${Math.max(4, p.sw2 * 1.15)}|${Math.max(0.5, p.sb2 * 1.15)}`;
    return this.get(key, { kind: 'phase', params: p });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
