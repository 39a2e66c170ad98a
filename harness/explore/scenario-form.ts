// A schedule in the scenario form, ready to paste into a suite under suites/: the same steps as the schedule file, run
// on a fresh site, and the invariants expected to hold (the way a found defect, once fixed, joins the catalogue).

import { isFault, type Schedule, type ScheduleStep } from '../core/schedule.js';

/** A TypeScript literal of plain data, single-quoted, keys bare. */
function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{ ${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : literal(k)}: ${literal(v)}`)
      .join(', ')} }`;
  return String(value);
}

/** "kill cms-primary, cut heartbeat" */
function faultWords(steps: readonly ScheduleStep[]): string {
  const faults = steps.filter(isFault).map((f) => `${f.kind} ${f.target}`);
  return faults.length > 0 ? faults.join(', then ') : 'operator commands alone';
}

export function scenarioForm(schedule: Schedule, key: string): string {
  const policy = schedule.site?.policy ?? {};
  const policyWords = `${policy.autoFailback ? 'automatic failback' : (policy.returningPrimary ?? 'the site’s policy')}${policy.autoFailover === false ? ', no automatic failover' : ''}`;
  const title = `holds every invariant through ${faultWords(schedule.steps)} (${policyWords})`;
  return [
    `// ${key}: ${schedule.title ?? 'a schedule found by cmsha explore'}.`,
    `// Paste inside a family(...) of a suite; it runs the same steps at the same phases and checks I1–I7.`,
    `scenario(${literal(title)}, {`,
    ...(schedule.site ? [`  site: ${literal(schedule.site)},`] : []),
    `  schedule: [`,
    ...schedule.steps.map((step) => `    ${literal(step)},`),
    `  ],`,
    `  async outcome(site) {`,
    `    await expect(site).toHoldInvariants();`,
    `  },`,
    `});`,
    '',
  ].join('\n');
}
