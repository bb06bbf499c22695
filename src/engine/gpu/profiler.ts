/**
 * Optional per-kernel GPU timing for the GPU engine (used by `npm run bench`, off by default): when a
 * GpuProfiler is passed in GpuEngineOptions, encodeChunk opens one compute pass per kernel group and
 * layer with timestamp writes at its start and end (WebGPU writes timestamps only at pass boundaries),
 * and this class sums the durations per group. Needs a device created with the 'timestamp-query'
 * feature. The extra passes cost a little, so a profiled run is timed separately from the plain one.
 */

/** The kernels of one layer, in encoding order (gpu-engine.ts encodeChunk). */
export const KERNEL_GROUPS = ['weights', 'orthogonal', 'forward', 'jacobian', 'qr', 'tproduct'] as const;
export type KernelGroup = (typeof KERNEL_GROUPS)[number];

export interface GroupTime {
  /** Sum of the group's pass durations, in nanoseconds. */
  ns: number;
  passes: number;
}

export interface ProfileTotals {
  groups: Record<KernelGroup, GroupTime>;
  /** Passes left untimed because a chunk needed more timestamps than the query set holds. */
  untimedPasses: number;
  /** Timed passes whose end timestamp was not after the start (quantized or unreliable timestamps). */
  emptyPasses: number;
}

/** The most timestamps WebGPU allows in one query set. */
const MAX_QUERIES = 4096;

export class GpuProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  private readonly capacity: number;
  /** Groups of the passes recorded since the last flush, in timestamp-pair order. */
  private labels: KernelGroup[] = [];
  private readonly pending: Promise<void>[] = [];
  private failure: Error | null = null;
  private readonly totals: ProfileTotals = {
    groups: Object.fromEntries(KERNEL_GROUPS.map((g) => [g, { ns: 0, passes: 0 }])) as Record<KernelGroup, GroupTime>,
    untimedPasses: 0,
    emptyPasses: 0,
  };

  static offered(device: GPUDevice): boolean {
    return device.features.has('timestamp-query');
  }

  constructor(
    private readonly device: GPUDevice,
    capacity = MAX_QUERIES,
  ) {
    if (!GpuProfiler.offered(device)) throw new Error("GpuProfiler needs a device created with the 'timestamp-query' feature");
    this.capacity = Math.min(MAX_QUERIES, Math.max(2, Math.floor(capacity / 2) * 2));
    this.querySet = device.createQuerySet({ label: 'kernel timestamps', type: 'timestamp', count: this.capacity });
    this.resolveBuffer = device.createBuffer({
      label: 'kernel timestamps',
      size: 8 * this.capacity,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /**
   * The timestamp writes for the next pass of `group`, or undefined when the query set is full until
   * the next flush (that pass then runs untimed and is counted in untimedPasses).
   */
  timestampWrites(group: KernelGroup): GPUComputePassTimestampWrites | undefined {
    const index = 2 * this.labels.length;
    if (index + 2 > this.capacity) {
      this.totals.untimedPasses++;
      return undefined;
    }
    this.labels.push(group);
    return { querySet: this.querySet, beginningOfPassWriteIndex: index, endOfPassWriteIndex: index + 1 };
  }

  /**
   * Call after submitting the command buffer whose passes used timestampWrites: resolves them in a
   * command buffer of its own (queue order puts it after the passes and before any reuse of the query
   * set) and reads them back asynchronously.
   */
  flush(): void {
    const labels = this.labels;
    if (labels.length === 0) return;
    this.labels = [];
    const bytes = 16 * labels.length;
    const staging = this.device.createBuffer({ label: 'kernel timestamps readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.resolveQuerySet(this.querySet, 0, 2 * labels.length, this.resolveBuffer, 0);
    enc.copyBufferToBuffer(this.resolveBuffer, 0, staging, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    this.pending.push(
      staging.mapAsync(GPUMapMode.READ).then(
        () => {
          const stamps = new BigUint64Array(staging.getMappedRange());
          labels.forEach((group, i) => {
            const begin = stamps[2 * i]!;
            const end = stamps[2 * i + 1]!;
            if (end > begin) this.totals.groups[group].ns += Number(end - begin);
            else this.totals.emptyPasses++;
            this.totals.groups[group].passes++;
          });
          staging.destroy();
        },
        (e: unknown) => {
          // Kept for result(), so that a failed readback is reported where the caller waits, not as an
          // unhandled rejection.
          this.failure ??= e instanceof Error ? e : new Error(String(e));
          staging.destroy();
        },
      ),
    );
  }

  /** The sums over every flushed pass (waits for their readbacks). */
  async result(): Promise<ProfileTotals> {
    await Promise.all(this.pending);
    if (this.failure) throw this.failure;
    return structuredClone(this.totals);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
  }
}
