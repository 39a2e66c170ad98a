// The site a run tests: timers, policies, the WAN between the data centres, outage budgets and image tags. One zod
// schema gives the checks, the defaults and the TypeScript types; every value is real time (the run's scale shrinks it).

import { z } from 'zod';
import {
  DEFAULT_POLICY,
  DEFAULT_TIMERS,
  LINK_NAMES,
  NODE_NAMES,
  type LinkName,
  type NodeName,
  type Policy,
  type Timers,
} from '../../images/protocol/index.js';
import { isTimingName, NUMBERED_TIMING_WORDS, TIMING_NAMES } from './timing-names.js';

/** The ESS No-Service timeout Avaya allows: 3 to 15 minutes. */
export const ESS_NO_SERVICE_RANGE_MS = [180_000, 900_000] as const;

const duration = (name: string) =>
  z
    .number({ error: `must be a number of milliseconds` })
    .refine((v) => Number.isFinite(v) && v > 0, { error: `must be a positive number of milliseconds (${name})` });
const count = () =>
  z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' });

const timersSchema = z
  .strictObject({
    heartbeatIntervalMs: duration('the period of the secondary heartbeat'),
    heartbeatTimeoutMs: duration('how long one heartbeat waits for its answer'),
    heartbeatMisses: count(),
    linkRetryMs: duration('Dual-IP: time between two connection attempts'),
    mainAttempts: count(),
    essAttempts: count(),
    keepaliveIntervalMs: duration('ACD keep-alive period'),
    keepaliveMisses: count(),
    pumpupMs: duration('translation pump-up'),
    essNoServiceTimeoutMs: z
      .number({ error: 'must be a number of milliseconds' })
      .min(ESS_NO_SERVICE_RANGE_MS[0], {
        error: `is below the allowed ${ESS_NO_SERVICE_RANGE_MS[0]}–${ESS_NO_SERVICE_RANGE_MS[1]} (3–15 min)`,
      })
      .max(ESS_NO_SERVICE_RANGE_MS[1], {
        error: `is above the allowed ${ESS_NO_SERVICE_RANGE_MS[0]}–${ESS_NO_SERVICE_RANGE_MS[1]} (3–15 min)`,
      }),
    essResetMs: duration('time the ESS spends RESETTING'),
    acdEventRateHz: count(),
  })
  .partial();

const policySchema = z
  .strictObject({
    autoFailover: z.boolean({ error: 'must be true or false' }),
    autoFailback: z.boolean({ error: 'must be true or false' }),
    returningPrimary: z.enum(['hold-standby', 'stay-active'], { error: "must be 'hold-standby' or 'stay-active'" }),
    essAutoReturnMs: z.union([z.null(), z.number().min(0)], {
      error: 'must be null (forced takeover only) or a number of milliseconds >= 0',
    }),
  })
  .partial();

const wanLinkSchema = z.strictObject({
  latencyMs: z.number({ error: 'must be a number of milliseconds' }).min(0, { error: 'must be >= 0' }),
  jitterMs: z.number({ error: 'must be a number of milliseconds' }).min(0, { error: 'must be >= 0' }).default(0),
  bandwidthKBps: z
    .number({ error: 'must be a whole number of KB/s' })
    .int({ error: 'must be a whole number of KB/s' })
    .min(1, { error: 'must be at least 1 KB/s' })
    .nullable()
    .default(null),
});

const budgetsSchema = z
  .strictObject({
    /** Supervisor logged in again after a primary failure, from the failure. */
    supervisorOutageMs: duration('supervisor outage after a primary failure'),
    /** Longest time both CMS may be ACTIVE during a handover (automatic failback). */
    dualActiveMs: z.number({ error: 'must be a number of milliseconds' }).min(0, { error: 'must be >= 0' }),
    /** An administration change applied on the peer, from the change. */
    adminSyncLagMs: duration('Admin-Sync lag'),
    /** Both CMS in data transfer with the ESS, from the loss of the main CM. */
    essTakeoverMs: duration('ESS takeover'),
  })
  .partial();

const imagesSchema = z
  .strictObject({
    /** Every stand-in. */
    standin: z.string().min(1),
    /** Both CMS (instead of `standin`). */
    cms: z.string().min(1),
    /** One node (instead of `cms` and `standin`). */
    nodes: z.partialRecord(z.enum(NODE_NAMES, { error: `must be a node name (${NODE_NAMES.join(', ')})` }), z.string().min(1)),
    toxiproxy: z.string().min(1),
  })
  .partial();

/** The software version a stand-in reports instead of its image's (dot-separated numbers, e.g. 16.5.0). */
const versionsSchema = z.partialRecord(
  z.enum(NODE_NAMES, { error: `must be a node name (${NODE_NAMES.join(', ')})` }),
  z.string().regex(/^\d+(\.\d+)*$/, { error: 'must be dot-separated numbers, e.g. 16.5.0' }),
);

/** How `compare` and `validate` judge: an equivalence margin per timing, instead of the default one. */
const compareSchema = z
  .strictObject({
    /** Real-time milliseconds by timing name (scaled with the run); a timing not named keeps the default margin. */
    marginsMs: z
      .record(z.string(), z.number({ error: 'must be a number of milliseconds' }).gt(0, { error: 'must be above 0' }))
      .superRefine((margins, ctx) => {
        for (const name of Object.keys(margins).filter((n) => !isTimingName(n)))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            input: name,
            message: `"${name}" is not a timing the harness measures; name one of: ${TIMING_NAMES.join(', ')}, ${NUMBERED_TIMING_WORDS}`,
          });
      }),
  })
  .partial();

/** What the nightly run explores after the catalogue (`cmsha run` of the whole catalogue, `npm start`). */
const exploreSchema = z
  .strictObject({
    /** How long: "15m", "2h", or 0 for no exploration. */
    budget: z.union([z.string(), z.literal(0)], { error: 'must be a duration such as 15m or 2h, or 0 for none' }),
    /** The time scale of the explored sites (the invariants hold at every scale). */
    timeScale: z.number({ error: 'must be a number' }).gt(0, { error: 'must be above 0' }).max(10, { error: 'must be at most 10' }),
  })
  .partial();

export const siteFileSchema = z
  .strictObject({
    /** 1 = real time (nightly runs), 0.05 = CI. The command line's --time-scale wins. */
    timeScale: z.number({ error: 'must be a number' }).gt(0, { error: 'must be above 0' }).max(10, { error: 'must be at most 10' }),
    timers: timersSchema,
    policy: policySchema,
    /** The WAN between the data centres, per link (DESIGN §1 "WAN"): the site's normal condition, in every window. */
    wan: z.partialRecord(z.enum(LINK_NAMES, { error: `must be a link name (${LINK_NAMES.join(', ')})` }), wanLinkSchema),
    budgets: budgetsSchema,
    images: imagesSchema,
    versions: versionsSchema,
    explore: exploreSchema,
    compare: compareSchema,
  })
  .partial();

export type SiteFile = z.input<typeof siteFileSchema>;

export interface WanLink {
  latencyMs: number;
  jitterMs: number;
  bandwidthKBps: number | null;
}

export interface Budgets {
  supervisorOutageMs?: number;
  dualActiveMs?: number;
  adminSyncLagMs?: number;
  essTakeoverMs?: number;
}

/** A whole site, defaults filled in, real-time values. */
export interface SiteConfig {
  timers: Timers;
  policy: Policy;
  wan: Partial<Record<LinkName, WanLink>>;
  budgets: Budgets;
  images: SiteImages;
  /** The version each node reports instead of its image's (DESIGN §1 "Versions"). */
  versions?: Partial<Record<NodeName, string>>;
  /** How a comparison judges this site as the candidate: equivalence margins by timing name, real-time ms. */
  compare?: { marginsMs?: Record<string, number> };
}

/** The images a site runs: every stand-in, both CMS, one node (the most specific wins), and Toxiproxy. */
export interface SiteImages {
  standin?: string;
  cms?: string;
  nodes?: Partial<Record<NodeName, string>>;
  toxiproxy?: string;
}

export const DEFAULT_SITE: Readonly<SiteConfig> = Object.freeze({
  timers: { ...DEFAULT_TIMERS },
  policy: { ...DEFAULT_POLICY },
  wan: {},
  budgets: {},
  images: {},
});

/** A problem with a site: where in it (a path like timers.heartbeatMisses), the value given and what is allowed. */
export interface SiteProblem {
  path: string;
  value: unknown;
  message: string;
}

/**
 * Rules between fields, which a per-field schema cannot state: the heartbeat must be able to answer within its
 * timeout, across the WAN too.
 */
export function crossFieldProblems(site: SiteConfig): SiteProblem[] {
  const problems: SiteProblem[] = [];
  const t = site.timers;
  if (t.heartbeatTimeoutMs >= t.heartbeatIntervalMs) {
    problems.push({
      path: 'timers.heartbeatTimeoutMs',
      value: t.heartbeatTimeoutMs,
      message: `must be shorter than timers.heartbeatIntervalMs (${t.heartbeatIntervalMs})`,
    });
  }
  const hb = site.wan.heartbeat;
  if (hb && 2 * (hb.latencyMs + hb.jitterMs) >= t.heartbeatTimeoutMs) {
    problems.push({
      path: 'wan.heartbeat.latencyMs',
      value: hb.latencyMs,
      message: `with jitter ${hb.jitterMs} makes a heartbeat round trip of up to ${2 * (hb.latencyMs + hb.jitterMs)} ms, not under timers.heartbeatTimeoutMs (${t.heartbeatTimeoutMs}): every heartbeat would miss`,
    });
  }
  for (const [link, wan] of Object.entries(site.wan) as Array<[LinkName, WanLink]>) {
    if (wan.jitterMs > wan.latencyMs) {
      problems.push({ path: `wan.${link}.jitterMs`, value: wan.jitterMs, message: `must not exceed the latency (${wan.latencyMs})` });
    }
  }
  return problems;
}

/** Fills the defaults of a parsed site file (the schema has already checked each field). */
export function resolveSite(file: z.output<typeof siteFileSchema>): SiteConfig {
  return {
    timers: { ...DEFAULT_TIMERS, ...file.timers } as Timers,
    policy: { ...DEFAULT_POLICY, ...file.policy } as Policy,
    wan: (file.wan ?? {}) as Partial<Record<LinkName, WanLink>>,
    budgets: { ...file.budgets },
    images: { ...file.images } as SiteImages,
    ...(file.versions ? { versions: { ...file.versions } } : {}),
    ...(file.compare?.marginsMs ? { compare: { marginsMs: { ...file.compare.marginsMs } } } : {}),
  };
}

/** A site with some settings changed (a scenario's own policy, say); the result is checked again by the caller. */
export function withSite(
  base: SiteConfig,
  change: { timers?: Partial<Timers>; policy?: Partial<Policy>; wan?: SiteConfig['wan']; versions?: SiteConfig['versions'] },
): SiteConfig {
  const versions = change.versions || base.versions ? { ...base.versions, ...change.versions } : undefined;
  return {
    ...base,
    timers: { ...base.timers, ...change.timers },
    policy: { ...base.policy, ...change.policy },
    wan: change.wan ?? base.wan,
    ...(versions ? { versions } : {}),
  };
}

/** The image a node's CMS HA stand-in runs by the site's images (one node's, both CMS's, every stand-in's), if any. */
export function siteImageOf(images: SiteImages, node: NodeName): string | undefined {
  const cms = node === 'cms-primary' || node === 'cms-secondary';
  return images.nodes?.[node] ?? (cms ? images.cms : undefined) ?? images.standin;
}

/** Integer-valued timer fields that are counts, not durations: never scaled. */
const COUNT_FIELDS = new Set<keyof Timers>(['heartbeatMisses', 'mainAttempts', 'essAttempts', 'keepaliveMisses', 'acdEventRateHz']);

declare const SCALED: unique symbol;

/**
 * The site as the stand-ins run it at a time scale (see scaleSite): what every window, bound and fault size is computed
 * from. A distinct type, so a real-time SiteConfig passed where the scaled one is needed fails to compile; only
 * scaleSite makes one, once per site (the Site holds it and hands it on).
 */
export type ScaledSite = Readonly<SiteConfig> & {
  /** The scale its durations were multiplied by (1 = real time). */
  readonly timeScale: number;
  readonly [SCALED]: true;
};

/**
 * The site as the stand-ins run it at a time scale: every duration (timers, the ESS auto-return, WAN latency and
 * jitter, budgets, comparison margins) multiplied by the scale; counts and bandwidth unchanged.
 */
export function scaleSite(site: SiteConfig, timeScale: number): ScaledSite {
  const scale = (ms: number) => ms * timeScale;
  const timers = { ...site.timers };
  for (const key of Object.keys(timers) as Array<keyof Timers>) if (!COUNT_FIELDS.has(key)) timers[key] = Math.round(scale(timers[key]));
  const wan: SiteConfig['wan'] = {};
  for (const [link, w] of Object.entries(site.wan) as Array<[LinkName, WanLink]>) {
    wan[link] = { latencyMs: scale(w.latencyMs), jitterMs: scale(w.jitterMs), bandwidthKBps: w.bandwidthKBps };
  }
  const budgets: Budgets = {};
  for (const [key, ms] of Object.entries(site.budgets) as Array<[keyof Budgets, number]>) budgets[key] = scale(ms);
  const margins = site.compare?.marginsMs;
  return {
    timers,
    policy: {
      ...site.policy,
      essAutoReturnMs: site.policy.essAutoReturnMs === null ? null : Math.round(scale(site.policy.essAutoReturnMs)),
    },
    wan,
    budgets,
    images: site.images,
    ...(site.versions ? { versions: site.versions } : {}),
    ...(margins ? { compare: { marginsMs: Object.fromEntries(Object.entries(margins).map(([name, ms]) => [name, scale(ms)])) } } : {}),
    timeScale,
  } as ScaledSite;
}
