import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CONFIG_BYTES, parseConfigText, readConfigText } from '../../src/config/read.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'mbuzz-read-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (name: string, text?: string) => {
  const file = join(root, name);
  if (text !== undefined) writeFileSync(file, text, { mode: 0o600 });
  return file;
};

/** Ten levels of nine aliases of the level below: 9^10 (3.5 billion) strings once expanded (the old loader did, quoting it in an error). */
function billionLaughs(): string {
  const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\nprofiles:\n  p:\n    concurrency: *l9\n`;
}

describe('readConfigText', () => {
  it('reads a file whole, dropping a byte-order mark', async () => {
    expect(await readConfigText(at('bom.yaml', '\uFEFFprofiles: {}\n'), false)).toBe('profiles: {}\n');
  });

  it('is undefined for a missing file or a directory while searching, and an error when the file was named', async () => {
    expect(await readConfigText(at('absent.yaml'), false)).toBeUndefined();
    mkdirSync(join(root, 'dir.yaml'));
    expect(await readConfigText(join(root, 'dir.yaml'), false)).toBeUndefined();
    await expect(readConfigText(at('absent.yaml'), true)).rejects.toThrow(`config file not found: ${join(root, 'absent.yaml')}`);
    await expect(readConfigText(join(root, 'dir.yaml'), true)).rejects.toThrow(`config ${join(root, 'dir.yaml')} is not a regular file`);
  });

  it('accepts exactly the cap and refuses one byte more, before parsing anything', async () => {
    const ok = `{}${' '.repeat(MAX_CONFIG_BYTES - 2)}`;
    expect((await readConfigText(at('cap.json', ok), false))?.length).toBe(1024 * 1024);
    await expect(readConfigText(at('over.json', `${ok} `), false)).rejects.toThrow(/is larger than 1 MiB: refusing to read it/);
  });

  // /proc/kallsyms is a "regular file" whose stat says 0 bytes while it holds megabytes: the cap
  // must hold while reading, not only at the stat (as for a file that grows in between).
  const procLies = (() => {
    try {
      return statSync('/proc/kallsyms').size === 0 && readFileSync('/proc/kallsyms').length > MAX_CONFIG_BYTES;
    } catch {
      return false;
    }
  })();
  it.skipIf(!procLies)('refuses a file that is larger than its stat said, at the cap (needs a Linux /proc/kallsyms over 1 MiB)', async () => {
    await expect(readConfigText('/proc/kallsyms', true)).rejects.toThrow(/^config \/proc\/kallsyms is larger than 1 MiB/);
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = join(root, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    await expect(readConfigText(fifo, false)).rejects.toThrow(`config ${fifo} is not a regular file`);
  });

  it('refuses a device (endless /dev/zero) by its type, not by reading it', async () => {
    await expect(readConfigText('/dev/zero', true)).rejects.toThrow('config /dev/zero is not a regular file');
  });
});

describe('parseConfigText', () => {
  it('reads YAML with merge keys, JSON by its extension, and package.json through its mbuzz key', () => {
    const yaml = 'defaults: &d {format: csv}\nprofiles:\n  a:\n    <<: *d\n    per_page: 10\n';
    expect(parseConfigText('/x/.mbuzzrc.yaml', yaml)).toEqual({ defaults: { format: 'csv' }, profiles: { a: { format: 'csv', per_page: 10 } } });
    expect(parseConfigText('/x/.mbuzzrc.json', '{"profiles": {"a": {}}}')).toEqual({ profiles: { a: {} } });
    expect(parseConfigText('/x/.mbuzzrc', '{"profiles": {}}')).toEqual({ profiles: {} }); // no extension: YAML, which reads JSON
    expect(parseConfigText('/x/package.json', '{"name": "p", "mbuzz": {"profile": "a"}}')).toEqual({ profile: 'a' });
    expect(parseConfigText('/x/package.json', '{"name": "p"}')).toBeUndefined();
    expect(parseConfigText('/x/.mbuzzrc.yaml', '  \n# only a comment\n')).toBeNull();
  });

  it('refuses YAML aliases that would expand to billions of items, without expanding them', () => {
    expect(() => parseConfigText('/x/lol.yaml', billionLaughs())).toThrow('config /x/lol.yaml: its YAML aliases expand too far (a "billion laughs" file?): refusing it');
  });

  it('still allows an alias used a few times (shared defaults)', () => {
    const yaml = `d: &d {format: csv, concurrency: 2}\nprofiles:\n${['a', 'b', 'c', 'e', 'f'].map((p) => `  ${p}: *d`).join('\n')}\n`;
    expect((parseConfigText('/x/c.yaml', yaml) as { profiles: Record<string, unknown> }).profiles.f).toEqual({ format: 'csv', concurrency: 2 });
  });

  it('names the file and line of a syntax error, on one line', () => {
    expect(() => parseConfigText('/x/c.yaml', 'profiles:\n  a:\n    format: csv\n   bad: [\n')).toThrow(/^cannot read config \/x\/c\.yaml \(line 4\): All mapping items must start at the same column$/);
    expect(() => parseConfigText('/x/c.yaml', 'a: 1\na: 2\n')).toThrow(/^cannot read config \/x\/c\.yaml \(line 2\): Map keys must be unique$/);
    expect(() => parseConfigText('/x/c.json', '{\n  "a": 1,\n}\n')).toThrow(/^cannot read config \/x\/c\.json \(line 3\): .*JSON at position 12$/); // the `}` on line 3
  });

  it('does not evaluate tags that mean code elsewhere', () => {
    const v = parseConfigText('/x/c.yaml', 'profiles:\n  a:\n    funnel: !!js/function "function () { return 1 }"\n') as { profiles: { a: { funnel: unknown } } };
    expect(v.profiles.a.funnel).toBe('function () { return 1 }');
  });
});
