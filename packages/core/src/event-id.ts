/** A random 32-lowercase-hex id (a UUID v4 without dashes), as the protocol wants for `event_id`. */
export function uuid4(crypto = (globalThis as { crypto?: { getRandomValues?<T extends Uint8Array>(a: T): T } }).crypto): string {
  const bytes = new Uint8Array(16);
  // getRandomValues works in insecure browser contexts too, unlike randomUUID.
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = (Math.random() * 256) | 0;
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let id = '';
  for (let i = 0; i < 16; i++) id += (bytes[i]! + 0x100).toString(16).slice(1);
  return id;
}
