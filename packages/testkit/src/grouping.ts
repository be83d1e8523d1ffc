import type { ReceivedFrame, SentryEvent } from './event';

// Groups events into issues roughly the way Sentry's default grouping does for JavaScript: the
// thrown exception's type and its top in-app frame, or the message for message events.

/** One issue; its title, culprit and level are the latest event's, as in Sentry. */
export interface IssueGroup {
  key: string;
  title: string;
  culprit: string;
  level: string;
  count: number;
  /** Distinct users, by the first of `id`, `email`, `ip_address`, `username` each event has. */
  users: number;
  lastEventId: string | undefined;
  /** ISO 8601, from the events' own timestamps. */
  firstSeen: string | undefined;
  lastSeen: string | undefined;
}

export interface EventDescription {
  /** What makes two events the same issue. */
  key: string;
  title: string;
  culprit: string;
}

export function describeEvent(event: SentryEvent): EventDescription {
  const values = event.exception?.values;
  // The last exception is the one thrown; earlier ones are its causes.
  const thrown = Array.isArray(values) ? values[values.length - 1] : undefined;
  if (thrown !== undefined) {
    const type = thrown.type ?? 'Error';
    const frame = topFrame(thrown.stacktrace?.frames);
    const title = thrown.value ? `${type}: ${thrown.value}` : type;
    if (frame === undefined) return { key: `${type}\0${thrown.value ?? ''}`, title, culprit: event.transaction ?? '' };
    const file = frame.filename ?? frame.module ?? frame.abs_path ?? '?';
    const fn = frame.function ?? '?';
    return { key: `${type}\0${file}:${fn}`, title, culprit: `${fn} (${file})` };
  }
  const message = messageOf(event) ?? '<no message>';
  return { key: `message\0${message}`, title: message, culprit: event.transaction ?? event.logger ?? '' };
}

/** Frames are outermost first, so the top frame is the last in-app one (the last one if none is). */
function topFrame(frames: ReceivedFrame[] | undefined): ReceivedFrame | undefined {
  if (!Array.isArray(frames)) return undefined;
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]?.in_app === true) return frames[i];
  return frames[frames.length - 1];
}

function messageOf(event: SentryEvent): string | undefined {
  const entry = event.logentry;
  const text = entry?.formatted ?? entry?.message;
  if (typeof text === 'string') return text;
  const message = event.message;
  if (typeof message === 'string') return message;
  return message?.formatted ?? message?.message;
}

/** The event's own time (`timestamp` in seconds or RFC 3339), if it has a valid one. */
export function eventDate(event: SentryEvent): Date | undefined {
  const { timestamp } = event;
  const date = typeof timestamp === 'number' ? new Date(timestamp * 1000) : typeof timestamp === 'string' ? new Date(timestamp) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

function userKey(event: SentryEvent): string | undefined {
  const user = event.user;
  const id = user?.id ?? user?.email ?? user?.ip_address ?? user?.username;
  return id === undefined ? undefined : String(id);
}

/** Groups events (in arrival order) into issues, the most frequent first. */
export function groupEvents(events: readonly SentryEvent[]): IssueGroup[] {
  const groups = new Map<string, { group: IssueGroup; users: Set<string>; first: number; last: number }>();
  for (const event of events) {
    const { key, title, culprit } = describeEvent(event);
    let entry = groups.get(key);
    if (entry === undefined) {
      const group: IssueGroup = { key, title, culprit, level: 'error', count: 0, users: 0, lastEventId: undefined, firstSeen: undefined, lastSeen: undefined };
      entry = { group, users: new Set(), first: Infinity, last: -Infinity };
      groups.set(key, entry);
    }
    const { group } = entry;
    group.title = title;
    group.culprit = culprit;
    group.count += 1;
    group.level = typeof event.level === 'string' ? event.level : 'error';
    if (typeof event.event_id === 'string') group.lastEventId = event.event_id;
    const user = userKey(event);
    if (user !== undefined) entry.users.add(user);
    group.users = entry.users.size;
    const time = eventDate(event)?.getTime();
    if (time !== undefined && time < entry.first) {
      entry.first = time;
      group.firstSeen = new Date(time).toISOString();
    }
    if (time !== undefined && time > entry.last) {
      entry.last = time;
      group.lastSeen = new Date(time).toISOString();
    }
  }
  return [...groups.values()]
    .sort((a, b) => b.group.count - a.group.count || b.last - a.last)
    .map((entry) => entry.group);
}
