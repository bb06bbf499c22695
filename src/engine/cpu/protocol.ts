/** Messages between the CPU engine's coordinator and its workers (Web Workers or worker_threads). */
import type { Params } from '../../params/types';
import type { SampleResult } from '../types';

export interface RunRequest {
  type: 'run';
  runId: number;
  params: Params;
  /** Sample indices this worker computes, in order. */
  samples: number[];
  /** Approximate time between progress messages. */
  progressMs: number;
  /** Accumulate the graded product for singular values (k = N only). */
  singularValues: boolean;
  /** Record the forward block (and run the second input). */
  forwardStats: boolean;
}

export interface ProgressMessage {
  type: 'progress';
  runId: number;
  /** The sample in flight, its completed layers and its log sums (a copy). */
  sample: number;
  layer: number;
  sums: Float64Array;
  /** Layer-samples completed by this worker so far. */
  work: number;
}

export interface ResultMessage {
  type: 'result';
  runId: number;
  result: SampleResult;
  work: number;
  /** Which dense kernels ran: 'wasm-simd' or 'js'. */
  kernels: string;
}

export interface DoneMessage {
  type: 'done';
  runId: number;
}

export interface ErrorMessage {
  type: 'error';
  runId: number;
  message: string;
}

export type WorkerResponse = ProgressMessage | ResultMessage | DoneMessage | ErrorMessage;

/** The part of a Worker the coordinator uses; implemented over Web Workers, worker_threads or in-process. */
export interface WorkerLike {
  postMessage(message: RunRequest): void;
  setHandlers(onMessage: (message: WorkerResponse) => void, onError: (error: Error) => void): void;
  terminate(): void;
}

export type WorkerFactory = () => WorkerLike;
