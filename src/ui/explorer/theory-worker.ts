/**
 * Web Worker that computes the theory overlays, so that solving for a density (tens of ms, up to the
 * solver's budget) never blocks the page while a slider is dragged or a run streams in.
 */
import { densityOverlays, phasePlotData, spectrumOverlays } from '../../theory/overlays';
import type { TheoryRequest, TheoryResponse } from './theory-client';

interface WorkerScope {
  onmessage: ((event: MessageEvent<TheoryRequest>) => void) | null;
  postMessage(message: TheoryResponse): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const req = event.data;
  try {
    const value =
      req.kind === 'spectrum'
        ? spectrumOverlays(req.params)
        : req.kind === 'density'
          ? densityOverlays(req.params, req.variable!, req.finiteFraction ?? 1)
          : phasePlotData(req.params.act, { sw2: req.params.sw2, sb2: req.params.sb2 });
    scope.postMessage({ id: req.id, value });
  } catch (e) {
    scope.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
};
