/**
 * Web Worker that computes the theory overlays, so that solving for a density (tens of ms, up to the
 * solver's budget) never blocks the page while a slider is dragged or a run streams in.
 */
import { answer, type TheoryRequest, type TheoryResponse } from './theory-protocol';

interface WorkerScope {
  onmessage: ((event: MessageEvent<TheoryRequest>) => void) | null;
  postMessage(message: TheoryResponse): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const req = event.data;
  try {
    scope.postMessage({ id: req.id, value: answer(req) });
  } catch (e) {
    scope.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
};
