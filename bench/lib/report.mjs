// Renders measure sections as Markdown tables: median (min–max) per SDK, the ratio Faultline/peer in
// each peer's cell, and PASS/MISS for the budgets.
import { summary } from './stats.mjs';

export function formatNumber(value, sign = false) {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const text = value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return sign && value >= 0 ? `+${text}` : text;
}

function cellText(stats, unit, sign) {
  const u = unit ? ` ${unit}` : '';
  if (stats.n === 1 || stats.min === stats.max) return `${formatNumber(stats.median, sign)}${u}`;
  return `${formatNumber(stats.median, sign)}${u} (${formatNumber(stats.min, sign)}–${formatNumber(stats.max, sign)})`;
}

/** `columns`: [{ key, label }]; Faultline first. */
export function renderSection(section, columns) {
  const lines = [`### ${section.title}`, ''];
  const header = ['measure', ...columns.map((c) => c.label), 'budget (Faultline)'];
  lines.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
  const verdicts = [];
  for (const row of section.rows) {
    const stats = {};
    for (const c of columns) if (Array.isArray(row.cells[c.key])) stats[c.key] = summary(row.cells[c.key]);
    const f = stats.faultline;
    const cells = columns.map((c) => {
      const value = row.cells[c.key];
      if (value === undefined) return '—';
      if (!Array.isArray(value)) return value;
      const s = stats[c.key];
      if (!s) return 'no data';
      let text = cellText(s, row.unit, row.sign);
      // A ratio of a negative or zero median (an overhead lost in the noise) would mean nothing.
      if (c.key !== 'faultline' && f && f.median > 0 && s.median > 0 && !row.noRatio) text += ` · F/p ${formatNumber(f.median / s.median)}`;
      return text;
    });
    let budget = '';
    if (row.budget) {
      const verdict = f ? (row.budget.pass(f, stats) ? 'PASS' : 'MISS') : 'n/a';
      budget = `${row.budget.text}: **${verdict}**`;
      verdicts.push({ measure: row.label, budget: row.budget.text, verdict, value: f ? cellText(f, row.unit, row.sign) : 'n/a' });
    }
    lines.push(`| ${[row.label, ...cells, budget].join(' | ')} |`);
  }
  lines.push('');
  for (const note of section.notes ?? []) lines.push(`${note}`, '');
  return { markdown: lines.join('\n'), verdicts };
}
