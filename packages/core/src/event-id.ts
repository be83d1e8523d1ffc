type RandomSource = { getRandomValues?<T extends Uint8Array>(a: T): T } | undefined;

// One getRandomValues call costs microseconds (Node goes to its CSPRNG each time), as much as the
// rest of a dropped capture together: bytes are drawn for many ids at once.
const POOL_IDS = 256;
let pool: Uint8Array | undefined;
let poolSource: RandomSource;
let next = POOL_IDS;

/** A random 32-lowercase-hex id (a UUID v4 without dashes), as the protocol wants for `event_id`. */
export function uuid4(crypto: RandomSource = (globalThis as { crypto?: RandomSource }).crypto): string {
  if (!pool || next >= POOL_IDS || crypto !== poolSource) {
    pool ??= new Uint8Array(16 * POOL_IDS);
    poolSource = crypto;
    next = 0;
    // getRandomValues works in insecure browser contexts too, unlike randomUUID.
    if (crypto?.getRandomValues) crypto.getRandomValues(pool);
    else for (let i = 0; i < pool.length; i++) pool[i] = (Math.random() * 256) | 0;
  }
  const offset = 16 * next++;
  let id = '';
  for (let i = 0; i < 16; i++) {
    let byte = pool[offset + i]!;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    id += (byte + 0x100).toString(16).slice(1);
  }
  return id;
}
