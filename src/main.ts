/**
 * The page's entry until the Lit UI lands: runs the CPU engine on the URL's parameters in Web Workers
 * and shows the exponents, progressively. Text only goes through textContent (the URL is untrusted).
 */
import { parseQuery } from './params/url';
import { CpuEngine } from './engine/cpu/cpu-engine';
import { browserConcurrency, browserWorkers } from './engine/cpu/browser-pool';
import type { Snapshot } from './engine/types';

const statusEl = document.getElementById('status')!;
const noticesEl = document.getElementById('notices')!;
const resultsEl = document.getElementById('results')!;

function cell(tag: 'td' | 'th', text: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

function render(snap: Snapshot): void {
  const { mean, sem, count } = snap.exponents;
  const table = document.createElement('table');
  const head = document.createElement('tr');
  for (const h of ['i', 'lambda_i (per layer)', '± SE', 'finite samples']) head.append(cell('th', h));
  table.append(head);
  mean.forEach((m, i) => {
    const row = document.createElement('tr');
    // null means -Infinity only once some layer has been measured; before that there is no data.
    const value = snap.layers === 0 ? '—' : m === null ? '-∞' : m.toFixed(5);
    row.append(cell('td', String(i + 1)), cell('td', value), cell('td', sem[i] == null ? '' : sem[i]!.toFixed(5)), cell('td', String(count[i])));
    table.append(row);
  });
  resultsEl.replaceChildren(table);
  statusEl.textContent = `${snap.backend}: ${snap.samples} of ${snap.params.samples} samples × ${snap.layers} layers, ${Math.round(snap.throughput)} layer-samples/s${snap.done ? ' — done' : ''}`;
  for (const w of snap.warnings) {
    const li = document.createElement('li');
    li.className = 'warn';
    li.textContent = w;
    noticesEl.append(li);
  }
  (window as unknown as { __snapshot?: Snapshot }).__snapshot = snap;
}

async function main(): Promise<void> {
  const { params, corrections } = parseQuery(location.search);
  for (const c of corrections) {
    const li = document.createElement('li');
    li.textContent = `Corrected: ${c.reason}`;
    noticesEl.append(li);
  }
  const concurrency = browserConcurrency();
  const engine = new CpuEngine({ workers: browserWorkers, concurrency, label: `cpu (float64, ${concurrency} workers)` });
  let last: Snapshot | undefined;
  for await (const snap of engine.run(params, { snapshotIntervalMs: 200 })) {
    last = snap;
    noticesEl.querySelectorAll('.warn').forEach((el) => el.remove());
    render(snap);
  }
  if (last) document.body.dataset.done = 'true';
}

main().catch((e: unknown) => {
  statusEl.textContent = `Error: ${e instanceof Error ? e.message : String(e)}`;
});
