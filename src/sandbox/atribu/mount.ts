import type { MountFactory } from '../mounts.js';

// TODO(issue 5): the atribu API.
export const atribuMount: MountFactory = () => ({
  prefix: '/atribu',
  handle: () => ({ status: 404, body: '{"error":"not implemented yet"}', rows: 0 }),
});
