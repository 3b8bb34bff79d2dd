// The API docs' own pagination loops (shared/api-docs/mbuzz-data-downloads.txt), run as written
// except that they are pointed at the benchmark server, given the scenario's start_date/end_date,
// and print JSON (not Ruby/Python/Node reprs) so their output can be checked; and the floor: every
// page over keep-alive, N in flight, JSON.parse, no output (what no exporter can beat in Node).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeLoops(dir, sc, url) {
  const q = `start_date=${sc.from}&end_date=${sc.to}`;
  const curl = `page=1
total_pages=1
while [ "$page" -le "$total_pages" ]; do
response=$(curl -s -H "Authorization: Bearer $MBUZZ_API_KEY" \\
"${url}/api/v1/data/conversions?${q}&per_page=1000&page=$page")
echo "$response" | jq -c '.data[]'
total_pages=$(echo "$response" | jq '.meta.total_pages')
page=$((page + 1))
done`;
  const python = `import os, json, requests
def each_page(path, **params):
    page = 1
    while True:
        r = requests.get(
            f"${url}{path}",
            params={**params, "page": page, "per_page": 1000},
            headers={"Authorization": f"Bearer {os.environ['MBUZZ_API_KEY']}"},
        )
        body = r.json()
        for row in body["data"]:
            yield row
        if page >= body["meta"]["total_pages"]:
            break
        page += 1
for row in each_page("/api/v1/data/conversions", start_date="${sc.from}", end_date="${sc.to}"):
    print(json.dumps(row))`;
  const node = `async function* eachPage(path, params = {}) {
  let page = 1;
  while (true) {
    const url = new URL(\`${url}\${path}\`);
    Object.entries({ ...params, page, per_page: 1000 })
      .forEach(([k, v]) => url.searchParams.set(k, v));
    const res = await fetch(url, {
      headers: { Authorization: \`Bearer \${process.env.MBUZZ_API_KEY}\` }
    });
    const body = await res.json();
    for (const row of body.data) yield row;
    if (page >= body.meta.total_pages) break;
    page += 1;
  }
}
for await (const row of eachPage('/api/v1/data/conversions', { start_date: '${sc.from}', end_date: '${sc.to}' })) {
  console.log(JSON.stringify(row));
}`;
  const floor = (inFlight) => `const base = '${url}/api/v1/data/conversions?${q}&per_page=1000&page=';
const headers = { Authorization: 'Bearer ' + process.env.MBUZZ_API_KEY, 'accept-encoding': 'identity' };
const first = await (await fetch(base + 1, { headers })).json();
let rows = first.data.length, next = 2;
const worker = async () => { for (let p = next++; p <= first.meta.total_pages; p = next++) rows += (await (await fetch(base + p, { headers })).json()).data.length; };
await Promise.all(Array.from({ length: ${inFlight} }, worker));
console.error('rows', rows);`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'loop.sh'), curl);
  writeFileSync(join(dir, 'loop.py'), python);
  writeFileSync(join(dir, 'loop.mjs'), node);
  writeFileSync(join(dir, 'floor4.mjs'), floor(4));
  writeFileSync(join(dir, 'floor8.mjs'), floor(8));
}
