import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { steeringKeys, whyUntrusted } from '../../src/config/trust.js';

// Real files with real modes and owners in a private temp directory (mkdtemp makes it 0700).
// Root can chown to another uid, so the ownership cases run only as root; as root, mode bits are
// still what the check reads (root ignores them for access, not for this rule).

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const root = realpathSync(mkdtempSync(join(tmpdir(), 'mbuzz-trust-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh directory (mode 0700) holding `config.yaml` (mode 0600). */
function fresh(): { dir: string; file: string } {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir, { mode: 0o700 });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'profiles: {}\n', { mode: 0o600 });
  return { dir, file };
}

describe('whyUntrusted', () => {
  it('accepts your own file, not writable by others, in your own directories', async () => {
    const { file } = fresh();
    expect(await whyUntrusted(file)).toBeUndefined();
    chmodSync(file, 0o644); // readable is fine: only writing can steer the key
    expect(await whyUntrusted(file)).toBeUndefined();
  });

  it.each([
    ['0620', 0o620, 'its group'],
    ['0602', 0o602, 'others'],
    ['0666', 0o666, 'group and others'],
  ])('refuses a file with mode %s (writable by %s), naming the fix', async (_, mode, who) => {
    const { file } = fresh();
    chmodSync(file, mode);
    expect(await whyUntrusted(file)).toBe(`it is writable by ${who} (fix: chmod go-w ${file})`);
  });

  it('refuses a directory writable by others without the sticky bit, and accepts it with one (as /tmp)', async () => {
    const { dir, file } = fresh();
    chmodSync(dir, 0o777);
    expect(await whyUntrusted(file)).toBe(`its directory ${dir} is writable by group and others (fix: chmod go-w ${dir}, or move the file)`);
    chmodSync(dir, 0o1777);
    expect(await whyUntrusted(file)).toBeUndefined();
  });

  it('checks every directory above the file, not only its own', async () => {
    const { dir } = fresh();
    const inner = join(dir, 'a', 'b');
    mkdirSync(inner, { recursive: true, mode: 0o700 });
    const file = join(inner, 'config.yaml');
    writeFileSync(file, 'profiles: {}\n', { mode: 0o600 });
    chmodSync(dir, 0o770);
    expect(await whyUntrusted(file)).toBe(`its directory ${dir} is writable by its group (fix: chmod go-w ${dir}, or move the file)`);
  });

  it('follows a symlink of yours and judges the file it points to, by its real name', async () => {
    const { dir, file } = fresh();
    const link = join(dir, 'link.yaml');
    symlinkSync(file, link);
    expect(await whyUntrusted(link)).toBeUndefined();
    chmodSync(file, 0o660);
    expect(await whyUntrusted(link)).toBe(`${file} is writable by its group (fix: chmod go-w ${file})`);
  });

  it('judges the directory the file really lives in, when a symlink leads out of a safe one', async () => {
    const safe = fresh();
    const open = fresh();
    chmodSync(open.dir, 0o777);
    const link = join(safe.dir, 'link.yaml');
    symlinkSync(open.file, link);
    expect(await whyUntrusted(link)).toBe(`its directory ${open.dir} is writable by group and others (fix: chmod go-w ${open.dir}, or move the file)`);
  });

  it('refuses a file owned by someone else, whoever runs it (the uid is a parameter)', async () => {
    const { file } = fresh();
    const me = process.getuid!();
    // As root, the file is root's and root is trusted: ask as uid 4242 about a file owned by uid 4243.
    if (isRoot) chownSync(file, 4243, 4243);
    const owner = isRoot ? 4243 : me;
    const asUid = isRoot ? 4242 : me + 1;
    expect(await whyUntrusted(file, asUid)).toBe(`it is owned by uid ${owner}, not you (fix: chown ${asUid} ${file}, or use a file of your own)`);
  });

  it.skipIf(!isRoot)('refuses a file chowned to another user (needs root to chown)', async () => {
    const { file } = fresh();
    chownSync(file, NOBODY, NOBODY);
    expect(await whyUntrusted(file)).toBe(`it is owned by uid ${NOBODY}, not you (fix: chown 0 ${file}, or use a file of your own)`);
  });

  it.skipIf(!isRoot)('refuses a file in a directory owned by another user (needs root to chown)', async () => {
    const { dir, file } = fresh();
    chownSync(dir, NOBODY, NOBODY);
    expect(await whyUntrusted(file)).toBe(`its directory ${dir} is owned by uid ${NOBODY}, not you (fix: move the file to a directory only you control)`);
  });

  it.skipIf(!isRoot)("refuses a symlink owned by another user, even to your own file (needs root to lchown)", async () => {
    const { dir, file } = fresh();
    const link = join(dir, 'link.yaml');
    symlinkSync(file, link);
    lchownSync(link, NOBODY, NOBODY);
    expect(await whyUntrusted(link)).toBe(`the symlink ${link} is owned by uid ${NOBODY}, not you (fix: remove it, or replace it with your own file)`);
  });

  it('has nothing to check where there are no uids (Windows)', async () => {
    const { file } = fresh();
    chmodSync(file, 0o666);
    expect(await whyUntrusted(file, null)).toBeUndefined();
  });
});

describe('steeringKeys', () => {
  it('names base_url, inline secrets and every *_env indirection, and nothing else', () => {
    const keys = steeringKeys({
      profiles: {
        a: { format: 'csv', channels: ['email'], username: 'ops', project_id: '7', params: { event: 'x' } },
        b: { base_url: 'https://x.invalid', api_key: 'k', api_secret_env: 'S', password: 'p', email_env: 'E', project_id_env: 'P' },
      },
    }, ['api_key', 'api_secret', 'password']);
    expect(keys).toEqual(['profiles.b.base_url', 'profiles.b.api_key', 'profiles.b.api_secret_env', 'profiles.b.password', 'profiles.b.email_env', 'profiles.b.project_id_env']);
  });
});
