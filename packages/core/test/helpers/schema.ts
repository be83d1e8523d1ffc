import { validateEvent } from '@faultline/testkit';

/**
 * The schema errors for `event` after a JSON round trip (what the server parses); [] when valid.
 * The schema is the one the testkit receiver vendors (Relay's event schema, draft 7).
 */
export function schemaErrors(event: unknown): string[] {
  return validateEvent(JSON.parse(JSON.stringify(event)));
}
