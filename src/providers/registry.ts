import { UsageError } from '../core/errors.js';
import { suggest } from '../core/suggest.js';
import type { ConfigSpec } from '../config/schema.js';
import type { DatasetDef, Provider } from './types.js';
import { mbuzzProvider } from './mbuzz/provider.js';
import { mixpanelProvider } from './mixpanel/provider.js';
import { sealmetricsProvider } from './sealmetrics/provider.js';
import { atribuProvider } from './atribu/provider.js';
import { attributionhubProvider } from './attributionhub/provider.js';

/** Every API mbuzz speaks: one line each (docs/adding-a-provider.md). */
export const PROVIDERS: readonly Provider[] = [mbuzzProvider, mixpanelProvider, sealmetricsProvider, atribuProvider, attributionhubProvider];

export const DATASETS: readonly DatasetDef[] = PROVIDERS.flatMap((p) => p.datasets);

export function findDataset(name: string): DatasetDef {
  const found = DATASETS.find((d) => d.name === name);
  if (!found) {
    const near = suggest(name, DATASETS.map((d) => d.name));
    if (near !== undefined) throw new UsageError(`unknown dataset ${JSON.stringify(name)} (did you mean ${near}?)`);
    throw new UsageError(`unknown dataset ${JSON.stringify(name)} (known: ${DATASETS.map((d) => d.name).join(', ')}; see mbuzz datasets)`);
  }
  return found;
}

export function providerOf(dataset: DatasetDef): Provider {
  const found = PROVIDERS.find((p) => p.name === dataset.provider);
  if (!found) throw new Error(`dataset ${dataset.name} names provider ${dataset.provider}, which is not registered`);
  return found;
}

/** What a config file's profiles may hold, from every provider's credential specs. */
export function configSpec(): ConfigSpec {
  const credentials = new Map<string, boolean>();
  for (const c of DATASETS.flatMap((d) => d.credentials)) credentials.set(c.profileKey, (credentials.get(c.profileKey) ?? false) || c.secret);
  return { providers: PROVIDERS.map((p) => p.name), credentials: [...credentials].map(([key, secret]) => ({ key, secret })) };
}
