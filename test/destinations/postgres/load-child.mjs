// Used by kill.test.ts: starts a load of one day through the built module and keeps feeding it
// rows until it is killed. Prints `copying <backend pid>` once rows have reached the server.
import { openPostgresLoad, parsePostgresUrl } from '../../../dist/destinations/postgres/index.js';
import { CONVERSIONS_COLUMNS } from '../../../dist/providers/mbuzz/schemas.js';

const [url, day] = process.argv.slice(2);
const out = await openPostgresLoad(parsePostgresUrl(url, { vars: {} }), {
  spec: { dataset: 'conversions', columns: CONVERSIONS_COLUMNS, dateColumn: 'date' },
  scope: { days: [day] },
  version: 'child',
  vars: {},
});
const template = { date: day, type: 'conversion', name: 'purchase', attribution_model: 'Linear', channel: 'email', credit: 1, is_acquisition: false, properties: {} };
async function* forever() {
  for (let i = 0; ; i++) {
    yield { ...template, utm_campaign: `child-${i}` };
    // by now several 64 KB chunks have gone into the COPY
    if (i === 20_000) process.stdout.write(`copying ${out.pid}\n`);
    if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 5));
  }
}
await out.writer(forever(), out.sink, { columns: CONVERSIONS_COLUMNS });
