// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import '../../../src/ui/param-control/param-control';
import type { ParamControl, ParamEventDetail } from '../../../src/ui/param-control/param-control';
import { specFor } from '../../../src/params/table';

async function mount(name: 'depth' | 'act' | 'seed' | 'sw2', value: number | string, max?: number): Promise<ParamControl> {
  const el = document.createElement('param-control');
  el.spec = specFor(name);
  el.value = value;
  if (max !== undefined) el.max = max;
  document.body.append(el);
  await el.updateComplete;
  return el;
}

function record(el: HTMLElement) {
  const events: { type: string; detail: ParamEventDetail }[] = [];
  for (const type of ['param-input', 'param-change'])
    el.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent<ParamEventDetail>).detail }));
  return events;
}

afterEach(() => document.body.replaceChildren());

describe('<param-control>', () => {
  it('renders a labelled range input and exact-value field for a numeric knob', async () => {
    const el = await mount('depth', 200);
    const root = el.shadowRoot!;
    const range = root.querySelector<HTMLInputElement>('input[type=range]')!;
    const label = root.querySelector('label')!;
    expect(label.textContent).toBe('Depth L');
    expect(label.getAttribute('for')).toBe(range.id);
    expect(range.getAttribute('aria-valuetext')).toBe('200 layers');
    expect(root.querySelector<HTMLInputElement>('input[type=number]')!.value).toBe('200');
    expect(root.querySelector(`#${range.getAttribute('aria-describedby')}`)!.textContent).toContain('layers');
  });

  it('dragging emits param-input, releasing emits param-change, both with the ladder value', async () => {
    const el = await mount('depth', 40);
    const events = record(el);
    const range = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=range]')!;
    range.value = String(Number(range.value) + 1);
    range.dispatchEvent(new Event('input', { bubbles: true }));
    range.dispatchEvent(new Event('change', { bubbles: true }));
    expect(events).toEqual([
      { type: 'param-input', detail: { name: 'depth', value: 41 } },
      { type: 'param-change', detail: { name: 'depth', value: 41 } },
    ]);
  });

  it('the exact field commits typed numbers, and hands unreadable text on for correction', async () => {
    const el = await mount('sw2', 1.5);
    const events = record(el);
    const field = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=number]')!;
    field.value = '1.7609546';
    field.dispatchEvent(new Event('change'));
    expect(events.at(-1)).toEqual({ type: 'param-change', detail: { name: 'sw2', value: 1.7609546 } });
  });

  it('a select for enums, with the current option selected', async () => {
    const el = await mount('act', 'relu');
    const events = record(el);
    const select = el.shadowRoot!.querySelector('select')!;
    expect(select.value).toBe('relu');
    expect(select.options.length).toBe(10);
    select.value = 'gelu';
    select.dispatchEvent(new Event('change'));
    expect(events).toEqual([{ type: 'param-change', detail: { name: 'act', value: 'gelu' } }]);
  });

  it('the seed gets a re-roll button that commits a new uint32', async () => {
    const el = await mount('seed', 1);
    const events = record(el);
    el.shadowRoot!.querySelector('button')!.click();
    const v = events[0]!.detail.value as number;
    expect(Number.isInteger(v) && v >= 0 && v <= 4294967295).toBe(true);
    expect(el.shadowRoot!.querySelector('input[type=range]')).toBeNull();
  });

  it('a dependent maximum shortens the slider (k <= width)', async () => {
    const el = document.createElement('param-control');
    el.spec = specFor('k');
    el.value = 16;
    el.max = 16;
    document.body.append(el);
    await el.updateComplete;
    const range = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=range]')!;
    expect(Number(range.max)).toBe(15);
    expect(range.value).toBe('15');
  });
});
