export { startReceiver } from './receiver';
export { validateEvent } from './validate-event';
export { validateClientReport } from './client-report';
export { readEnvelope } from './envelope';
export { describeEvent, groupEvents } from './grouping';
export { formatEventLine, formatSummary } from './format';
export { runInbox } from './inbox';
export { barrier, listen, SECRET_HEADERS, SECRET_QUERY, SECRET_VALUES } from './http-fixtures';

export type { ReceiverOptions, Receiver, ReceivedEnvelope, ReceivedItem, ReceivedRequest } from './receiver';
export type { Fault } from './faults';
export type { Violation, ViolationKind } from './violation';
export type { ClientReport, DiscardedEvents } from './client-report';
export type { EnvelopeReading } from './envelope';
export type {
  SentryEvent,
  ReceivedException,
  ReceivedFrame,
  ReceivedMechanism,
  ReceivedBreadcrumb,
  ReceivedUser,
} from './event';
export type { EventDescription, IssueGroup } from './grouping';
export type { Inbox, InboxOptions } from './inbox';
export type { RunningServer } from './http-fixtures';
