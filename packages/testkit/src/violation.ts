/** Which rule of the protocol a request broke. */
export type ViolationKind =
  | 'auth'
  | 'body'
  | 'json'
  | 'envelope'
  | 'length'
  | 'item_type'
  | 'event_id'
  | 'sent_at'
  | 'size'
  | 'schema'
  | 'client_report';

/** A schema or protocol violation the receiver saw; a test usually asserts there are none. */
export interface Violation {
  kind: ViolationKind;
  message: string;
  /** The request path it arrived on. */
  path: string;
  /** The event it concerns, when there is one. */
  eventId?: string;
}

/** A violation found before the receiver knows which request it belongs to. */
export type Problem = Omit<Violation, 'path'>;
