// DSN: {protocol}://{public_key}@{host}[:{port}]{/path}/{project_id}
// https://develop.sentry.dev/sdk/overview/#parsing-the-dsn

export interface Dsn {
  protocol: 'http' | 'https';
  publicKey: string;
  host: string;
  port: string;
  path: string;
  projectId: string;
}

const DSN_PATTERN = /^(https?):\/\/([^:@/]+)(?::[^@/]*)?@([^/:?#]+|\[[0-9a-fA-F:.]+\])(?::(\d+))?(\/[^?#]*)?$/;

/** Parses a DSN; undefined when it is not one. Never throws. */
export function parseDsn(input: unknown): Dsn | undefined {
  if (typeof input !== 'string') return undefined;
  const match = DSN_PATTERN.exec(input.trim());
  if (!match) return undefined;
  const [, protocol, publicKey, host, port = '', fullPath = ''] = match;
  const segments = fullPath.split('/').filter(Boolean);
  const projectId = segments.pop();
  if (!projectId || !/^\d+$/.test(projectId)) return undefined;
  return {
    protocol: protocol as 'http' | 'https',
    publicKey: publicKey!,
    host: host!,
    port,
    path: segments.length ? `/${segments.join('/')}` : '',
    projectId,
  };
}

export function dsnToString(dsn: Dsn): string {
  const port = dsn.port ? `:${dsn.port}` : '';
  return `${dsn.protocol}://${dsn.publicKey}@${dsn.host}${port}${dsn.path}/${dsn.projectId}`;
}

/**
 * The envelope endpoint with auth in the query string, so browsers need no CORS preflight
 * (https://develop.sentry.dev/sdk/overview/#authentication). A tunnel URL is used as it is.
 */
export function envelopeEndpoint(dsn: Dsn, sdkName: string, sdkVersion: string, tunnel?: string): string {
  if (typeof tunnel === 'string' && tunnel) return tunnel;
  const port = dsn.port ? `:${dsn.port}` : '';
  const base = `${dsn.protocol}://${dsn.host}${port}${dsn.path}/api/${dsn.projectId}/envelope/`;
  const client = encodeURIComponent(`${sdkName}/${sdkVersion}`);
  return `${base}?sentry_version=7&sentry_key=${encodeURIComponent(dsn.publicKey)}&sentry_client=${client}`;
}
