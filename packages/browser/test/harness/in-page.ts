/** Page code that starts Faultline with the DSN the page was given (`?dsn=`) and extra init options. */
export function initCode(options = ''): string {
  return `Faultline.init({ dsn: new URLSearchParams(location.search).get('dsn')${options ? `, ${options}` : ''} })`;
}

/** Runs statements in the page (as the body of an async function) and returns what they return. */
export function run(body: string): string {
  return `(async function () {\n${body}\n})()`;
}

/** Page code that waits for the next macrotask, so timers, listeners and rejections have run. */
export const nextTask = 'await new Promise(function (resolve) { setTimeout(resolve, 50); });';
