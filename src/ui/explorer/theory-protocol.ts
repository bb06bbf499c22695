/**
 * The messages between the page and the theory worker, and the one function that answers them (used by
 * the worker, and in-line where no worker can start).
 */
import { activationOf } from '../../model/index';
import type { Params } from '../../params/types';
import {
  densityOverlays,
  phasePlotData,
  signalOverlays,
  spectrumOverlays,
  type DensityVariableSpec,
  type PhasePlotData,
  type SignalTheory,
  type TheoryCurve,
} from '../../theory/overlays';

export type TheoryKind = 'spectrum' | 'density' | 'phase' | 'signal';

export interface TheoryRequest {
  id: number;
  kind: TheoryKind;
  params: Params;
  variable?: DensityVariableSpec;
  finiteFraction?: number;
}

export type TheoryValue = TheoryCurve[] | PhasePlotData | SignalTheory;

export type TheoryResponse = { id: number; value: TheoryValue } | { id: number; error: string };

export function answer(req: Omit<TheoryRequest, 'id'>): TheoryValue {
  const p = req.params;
  if (req.kind === 'spectrum') return spectrumOverlays(p);
  if (req.kind === 'signal') return signalOverlays(p);
  if (req.kind === 'density') return densityOverlays(p, req.variable!, req.finiteFraction ?? 1);
  return phasePlotData(activationOf(p), { sw2: p.sw2, sb2: p.sb2 });
}
