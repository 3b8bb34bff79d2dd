import type { MountFactory } from '../mounts.js';

// TODO(issue 5): the attributionhub API.
export const attributionhubMount: MountFactory = () => ({
  prefix: '/attributionhub',
  handle: () => ({ status: 404, body: '{"error":"not implemented yet"}', rows: 0 }),
});
