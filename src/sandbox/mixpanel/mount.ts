import type { MountFactory } from '../mounts.js';

// TODO(issue 5): the mixpanel API.
export const mixpanelMount: MountFactory = () => ({
  prefix: '/mixpanel',
  handle: () => ({ status: 404, body: '{"error":"not implemented yet"}', rows: 0 }),
});
