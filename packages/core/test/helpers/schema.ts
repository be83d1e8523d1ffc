import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// The event schema every payload must pass (Relay's, draft 7), compiled once per test file.
// Until @faultline/testkit exports `validateEvent`, tests use this one.

const schemaPath = new URL('../../../../../shared/schemas/event.schema.json', import.meta.url);
const number = { type: 'number' as const, validate: () => true };

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS with `exports.default`; the interop decides which of the two we get.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule);
addFormats(ajv);
// Relay's event ids are 32 hex digits without dashes; also accept the dashed form.
ajv.addFormat('uuid', /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i);
for (const format of ['uint64', 'int64', 'double', 'uint8', 'uint16', 'uint32', 'int32', 'float']) {
  ajv.addFormat(format, number);
}
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);

/** The schema errors for `event` after a JSON round trip (what the server parses); [] when valid. */
export function schemaErrors(event: unknown): string[] {
  const wire: unknown = JSON.parse(JSON.stringify(event));
  if (validate(wire)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}
