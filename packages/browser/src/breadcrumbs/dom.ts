import { unwrap } from '@faultline/core';
import type { RecordBreadcrumb } from './record';

// As Sentry: at most 5 elements from the target up, at most 80 characters, so a breadcrumb stays short.
const MAX_ELEMENTS = 5;
const MAX_LENGTH = 80;
// One breadcrumb per typing burst in one field.
const KEYPRESS_GAP_MS = 1000;

/**
 * Records clicks (`ui.click`) and key presses in editable fields (`ui.input`) with a readable target
 * such as `div.cart > button#buy.cta`. Listens in the capture phase, so handlers that stop
 * propagation do not hide the interaction.
 */
export function instrumentDom(record: RecordBreadcrumb, doc: Document | undefined = globalThis.document): () => void {
  if (!doc) return () => undefined;
  let lastTarget: EventTarget | null = null;
  let lastKeypress = 0;
  const onClick = (event: Event): void => {
    const message = describeTarget(event.target);
    if (message) record({ category: 'ui.click', message });
  };
  const onKeypress = (event: Event): void => {
    const target = event.target as HTMLElement | null;
    if (!target || !(target.isContentEditable || /^(INPUT|TEXTAREA)$/.test(target.tagName))) return;
    const now = Date.now();
    if (target === lastTarget && now - lastKeypress < KEYPRESS_GAP_MS) {
      lastKeypress = now;
      return;
    }
    lastTarget = target;
    lastKeypress = now;
    const message = describeTarget(target);
    if (message) record({ category: 'ui.input', message });
  };
  // The unwrapped method: our own listeners need no error wrapping.
  const add = unwrap(doc.addEventListener);
  add.call(doc, 'click', onClick, true);
  add.call(doc, 'keypress', onKeypress, true);
  return () => {
    doc.removeEventListener('click', onClick, true);
    doc.removeEventListener('keypress', onKeypress, true);
  };
}

/** `body > div.cart > button#buy.cta`: the target and up to four ancestors, innermost last. */
export function describeTarget(target: EventTarget | null): string | undefined {
  try {
    const parts: string[] = [];
    let length = 0;
    let node = target as Element | null;
    while (node && node.nodeType === 1 && parts.length < MAX_ELEMENTS) {
      const part = describeElement(node);
      if (node.tagName === 'HTML' || (parts.length > 0 && length + part.length + 3 > MAX_LENGTH)) break;
      parts.unshift(part);
      length += part.length + 3;
      node = node.parentElement;
    }
    return parts.length ? parts.join(' > ') : undefined;
  } catch {
    return '<unknown>';
  }
}

function describeElement(element: Element): string {
  let text = element.tagName.toLowerCase();
  if (element.id) text += `#${element.id}`;
  const classes = typeof element.className === 'string' ? element.className.trim() : '';
  if (classes) text += `.${classes.split(/\s+/).join('.')}`;
  for (const name of ['type', 'name', 'title', 'alt', 'aria-label']) {
    const value = element.getAttribute(name);
    if (value) text += `[${name}="${value}"]`;
  }
  return text;
}
