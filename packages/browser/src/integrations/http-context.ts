import type { Integration } from '@faultline/core';

/** Adds the page to every event: `request.url` and the `User-Agent` (and `Referer`) headers. */
export function httpContextIntegration(win: typeof globalThis = globalThis): Integration {
  return {
    name: 'HttpContext',
    processEvent(event) {
      const url = event.request?.url ?? win.location?.href;
      const headers: Record<string, string> = { ...event.request?.headers };
      const userAgent = win.navigator?.userAgent;
      const referrer = win.document?.referrer;
      if (userAgent) headers['User-Agent'] = userAgent;
      if (referrer) headers.Referer = referrer;
      event.request = { ...event.request, ...(url ? { url } : {}), headers };
      return event;
    },
  };
}
