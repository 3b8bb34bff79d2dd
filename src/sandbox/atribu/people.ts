// Atribu's customers: a fixed pool per seed and scale, each rebuilt from hash(seed, index) and
// named by a UUID that encodes its index, so the journey endpoint can find a customer from its id
// alone and refuse ids that are not of this pool (BOLA: foreign ids look like unknown ones).
import { Rng, hash2, hash3 } from '../hash.js';

const SALT_CUSTOMER = 0xc0570;
const INDEX_MASK = 0x5a3c96e1;

/** [name or null, e-mail local part]; awkward on purpose: commas, quotes, scripts, emoji. */
const PEOPLE: ReadonlyArray<readonly [string | null, string]> = [
  ['Jane Smith', 'jane.smith'],
  ["Zoë O'Brien", 'zoe.obrien'],
  ['José Álvarez', 'jose.alvarez'],
  ['王小明', 'wang.xiaoming'],
  ['Smith, John', 'john.smith'],
  ['Dana "DJ" Lee', 'dj'],
  ['Åsa Öberg', 'asa.oberg'],
  ['Ελένη Παπαδοπούλου', 'eleni.p'],
  ['محمد علي', 'm.ali'],
  ['Nguyễn Thị Hoa', 'hoa.nguyen'],
  ['Björk Guðmundsdóttir', 'bjork'],
  ['Chloé <Admin> & Co', 'chloe+ads'],
  ['Priya Raman 🚀', 'priya'],
  ['Ōtani Shōhei', 'otani'],
  ['Renée  Dubois', 'renee.dubois'],
  [null, 'visitor'],
];
const DOMAINS = ['example.com', 'mail.example.org', 'correo.example.es', 'example.co.uk', 'xn--bcher-kva.example'];
export const COUNTRIES = ['US', 'US', 'US', 'CL', 'MX', 'ES', 'GB', 'DE', 'BR', 'CA', 'JP', 'AR'];
export const DEVICES = ['mobile', 'mobile', 'desktop', 'desktop', 'tablet'];

export interface Customer {
  index: number;
  id: string;
  name: string | null;
  email: string | null;
  country: string;
  /** Lifetime figures: they count conversions from before the sandbox's data too. */
  conversionCount: number;
  lifetimeRevenue: number;
}

export function customerCount(scale: number): number {
  return Math.max(50, Math.round(2500 * scale));
}

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);

/** A v4-shaped UUID from three hashes; the last 8 hex digits carry `payload`. */
export function uuidFrom(h1: number, h2: number, payload: number): string {
  return `${hex(h1, 8)}-${hex(h2 >>> 16, 4)}-4${hex(h2, 3)}-${(8 + (h1 & 3)).toString(16)}${hex(h1 >>> 12, 3)}-${hex(h2 >>> 4, 4)}${hex(payload, 8)}`;
}

export function customerId(seed: number, index: number): string {
  const h = hash3(seed ^ SALT_CUSTOMER, index, 1);
  return uuidFrom(h, hash2(h, 2), index ^ INDEX_MASK);
}

/** The pool index an id names, or undefined for an id this sandbox never handed out. */
export function customerIndex(seed: number, scale: number, id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) return undefined;
  const index = (Number.parseInt(id.slice(-8), 16) ^ INDEX_MASK) >>> 0;
  if (index >= customerCount(scale) || customerId(seed, index) !== id) return undefined;
  return index;
}

export function customer(seed: number, index: number): Customer {
  const rng = new Rng(hash3(seed ^ SALT_CUSTOMER, index, 3));
  const [name, local] = rng.pick(PEOPLE);
  const anonymous = name === null;
  const email = anonymous && rng.chance(0.7) ? null : rng.chance(0.08) ? null : `${local}${rng.chance(0.5) ? rng.range(1, 999) : ''}@${rng.pick(DOMAINS)}`;
  const conversionCount = rng.range(1, 6);
  const lifetimeRevenue = rng.chance(0.35) ? 0 : Math.round(rng.range(49, 9_999) * 100 + rng.int(100)) / 100;
  return { index, id: customerId(seed, index), name, email, country: rng.pick(COUNTRIES), conversionCount, lifetimeRevenue };
}
