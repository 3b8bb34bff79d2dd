import type { MountFactory } from '../mounts.js';

// TODO(issue 5): the sealmetrics API.
export const sealmetricsMount: MountFactory = () => ({
  prefix: '/sealmetrics',
  handle: () => ({ status: 404, body: '{"error":"not implemented yet"}', rows: 0 }),
});
