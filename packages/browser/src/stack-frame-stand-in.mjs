// Stands in for the `stackframe` package in the CDN bundle only (aliased in rollup.config.mjs).
// error-stack-parser calls `new StackFrame({ functionName, fileName, lineNumber, columnNumber,
// source })` and core's stack parser reads those fields back, nothing else: stackframe's accessors
// and type checks are 1.9 KB of the bundle. A constructor that returns an object makes `new` return
// that object. Line and column stay strings here; core's parser converts them.
export default function StackFrame(fields) {
  return fields;
}
