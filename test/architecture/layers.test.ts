import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers of design.md §4, read from the code's own imports (static, type-only and dynamic):
// each folder may import only folders of a lower layer, plus itself. A provider folder may use
// providers/types.ts but not another provider; only providers/registry.ts knows them all.
const LAYERS: Record<string, number> = {
  core: 0,
  config: 1,
  json: 1,
  http: 2,
  writers: 2,
  schema: 2,
  sandbox: 2,
  paginate: 3,
  providers: 4,
  destinations: 4,
  pipeline: 5,
  commands: 6,
  cli: 7,
};

const SRC = resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of a file, resolved to the .ts file it names. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

const top = (file: string) => relative(SRC, file).split('/')[0]!;
/** `providers/mbuzz`, `providers/types.ts`, `commands/export`: the unit a folder rule talks about. */
const unit = (file: string) => relative(SRC, file).split('/').slice(0, 2).join('/');

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('layers', () => {
  it('every source folder has a layer', () => {
    const folders = [...new Set(files.map(top))].filter((t) => !t.endsWith('.ts'));
    expect(folders.filter((f) => LAYERS[f] === undefined)).toEqual([]);
    expect(files.filter((f) => top(f).endsWith('.ts')).map((f) => relative(SRC, f))).toEqual([]);
  });

  it('imports go to a lower layer or stay in their own folder', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const [a, b] = [top(file), top(target)];
        if (a === b) continue;
        if (!(LAYERS[b]! < LAYERS[a]!)) upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('a provider folder uses no other provider; a command folder no other command', () => {
    const sideways: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const [a, b] = [unit(file), unit(target)];
        const shared = b === 'providers/types.ts' || b === 'commands/spec.ts' || a === 'providers/registry.ts';
        if ((top(file) === 'providers' || top(file) === 'commands') && top(target) === top(file) && a !== b && !shared) sideways.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
    expect(sideways).toEqual([]);
  });

  it('core imports nothing of the project but core', () => {
    const out = files.filter((f) => top(f) === 'core').flatMap((f) => graph.get(f)!.filter((t) => top(t) !== 'core').map((t) => `${relative(SRC, f)} -> ${relative(SRC, t)}`));
    expect(out).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(SRC, x)).join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('catches what it is meant to (a planted upward import is seen)', () => {
    // the scanner itself must see static, type-only and dynamic imports
    const text = "import { a } from '../x.js';\nimport type { B } from './y.js';\nconst m = await import('../../z.js');\n";
    const found = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1]);
    expect(found).toEqual(['../x.js', './y.js', '../../z.js']);
  });
});
