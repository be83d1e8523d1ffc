// The few globals core uses that every runtime it supports has (browsers, Node, workers, edge), declared
// here so core can be compiled without the DOM or Node type libraries and so cannot lean on either.

type TimerHandle = { unref?(): void } | number;
declare function setTimeout(callback: () => void, ms?: number): TimerHandle;
declare function clearTimeout(handle: TimerHandle | undefined): void;

declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(input: string, destination: Uint8Array): { read: number; written: number };
}

declare class TextDecoder {
  decode(input?: Uint8Array): string;
}

interface Console {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}
