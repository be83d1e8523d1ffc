import type { SentryEvent } from './event';
import { describeEvent, eventDate, type IssueGroup } from './grouping';

/** One line for a terminal: time, level, title, release, culprit, id. */
export function formatEventLine(event: SentryEvent): string {
  const { title, culprit } = describeEvent(event);
  const parts = [
    eventDate(event)?.toISOString() ?? '-',
    (typeof event.level === 'string' ? event.level : 'error').padEnd(7),
    oneLine(title, 120),
  ];
  if (typeof event.release === 'string') parts.push(`release=${event.release}`);
  if (culprit) parts.push(`at ${oneLine(culprit, 80)}`);
  parts.push(typeof event.event_id === 'string' ? event.event_id : '(no id)');
  return parts.join('  ');
}

/** A plain-text table of issue groups, most frequent first. */
export function formatSummary(groups: readonly IssueGroup[]): string {
  if (groups.length === 0) return 'No events received.\n';
  const events = groups.reduce((sum, g) => sum + g.count, 0);
  const rows = [
    ['COUNT', 'USERS', 'LEVEL', 'TITLE', 'CULPRIT', 'LAST SEEN', 'LAST EVENT'],
    ...groups.map((g) => [
      String(g.count),
      String(g.users),
      g.level,
      oneLine(g.title, 60),
      oneLine(g.culprit, 40),
      g.lastSeen ?? '-',
      g.lastEventId ?? '-',
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const numeric = new Set([0, 1]);
  const lines = rows.map((row) =>
    row
      .map((cell, col) => (numeric.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
  const heading = `${groups.length} issue${groups.length === 1 ? '' : 's'}, ${events} event${events === 1 ? '' : 's'}`;
  return `${heading}\n${lines.join('\n')}\n`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
