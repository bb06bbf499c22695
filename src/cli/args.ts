/**
 * Command-line parsing for the spectrum CLI. Parameter flags are generated from the parameter table
 * (`--width 64` is the URL's `width=64`), so the CLI, the URL and the UI accept the same knobs.
 */
import { PARAM_TABLE } from '../params/table';

export type BackendChoice = 'cpu' | 'gpu' | 'auto';

export interface CliOptions {
  /** Key/value pairs in order: the --query string first, then the parameter flags (later wins). */
  entries: [string, string][];
  backend: BackendChoice;
  json: boolean;
  perSample: boolean;
  /** Accumulate the finite-depth singular values (k = N); --no-singular-values turns it off. */
  singularValues: boolean;
  /** Worker threads; 0 = run in-process; undefined = one per core. */
  workers: number | undefined;
  help: boolean;
}

export class CliError extends Error {}

const PARAM_KEYS: ReadonlySet<string> = new Set<string>(PARAM_TABLE.map((s) => s.urlKey));

export function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { entries: [], backend: 'cpu', json: false, perSample: false, singularValues: true, workers: undefined, help: false };
  const flagEntries: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument "${arg}" (flags start with --; see --help)`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new CliError(`--${name} needs a value`);
      i++;
      return next;
    };
    const noValue = () => {
      if (inline !== undefined) throw new CliError(`--${name} takes no value`);
    };
    switch (name) {
      case 'query': {
        const q = value().replace(/^\?/, '');
        for (const [k, v] of new URLSearchParams(q)) options.entries.push([k, v]);
        break;
      }
      case 'backend': {
        const b = value();
        if (b !== 'cpu' && b !== 'gpu' && b !== 'auto') throw new CliError(`--backend must be cpu, gpu or auto, not "${b}"`);
        options.backend = b;
        break;
      }
      case 'json':
        noValue();
        options.json = true;
        break;
      case 'per-sample':
        noValue();
        options.perSample = true;
        break;
      case 'no-singular-values':
        noValue();
        options.singularValues = false;
        break;
      case 'workers': {
        const raw = value();
        const w = Number(raw);
        if (!/^\d+$/.test(raw) || w > 256) throw new CliError(`--workers must be an integer 0..256 (0 = in-process), not "${raw}"`);
        options.workers = w;
        break;
      }
      case 'help':
        noValue();
        options.help = true;
        break;
      default:
        if (!PARAM_KEYS.has(name)) throw new CliError(`unknown flag --${name} (see --help)`);
        flagEntries.push([name, value()]);
    }
  }
  options.entries.push(...flagEntries);
  return options;
}

export function helpText(): string {
  const lines = [
    'Lyapunov spectrum of a random deep network (the engines of the browser tool, headless).',
    '',
    "Usage: npm run spectrum -- [--query 'width=32&depth=200&act=tanh'] [--<param> <value> ...]",
    '                           [--backend cpu|gpu|auto] [--json] [--per-sample] [--workers N]',
    '',
    '  --query Q      a URL query string (as in a shared link); later --<param> flags override it',
    '  --backend B    cpu (float64, default), gpu (WebGPU via Dawn, float32),',
    '                 auto (gpu when a device is available, else cpu; sparse feedforward nets use cpu)',
    '  --json         print one JSON object (the reference protocol of docs/THEORY.md section 7)',
    "  --per-sample   include every sample's exponents, log singular values and rank",
    '  --workers N    worker threads (default: one per core; 0 = in-process)',
    '  --no-singular-values   skip the finite-depth singular values (saves ~N^3/3 flops per layer)',
    '',
    'Parameters (URL keys):',
  ];
  for (const spec of PARAM_TABLE) {
    const range =
      spec.kind === 'enum'
        ? spec.options.map((o) => o.value).join(' | ')
        : `${spec.min}..${spec.name === 'k' ? 'width' : spec.name === 'transient' ? 'depth-1' : spec.max}`;
    lines.push(`  --${spec.urlKey.padEnd(10)} ${spec.label}: ${range} (default ${spec.name === 'k' ? 'width' : String(spec.default)})`);
  }
  lines.push('', 'Bad or out-of-range values are corrected and listed under "corrections"; bad flags exit with code 2.');
  return lines.join('\n');
}
