// The only code the stand-ins (images/) and the harness share: node and link names, timers,
// the stand-in configuration, and the shape of status and events on the control port.

/** Every node of the CMS HA site (DESIGN.md §1). */
export const NODE_NAMES = ['cms-primary', 'cms-secondary', 'cm', 'ess', 'supervisor'] as const;
export type NodeName = (typeof NODE_NAMES)[number];
export type CmsName = 'cms-primary' | 'cms-secondary';

/** What a stand-in process behaves as. `echo` is the foundation's plain TCP echo, used by fault tests. */
export type StandinKind = 'cms' | 'cm' | 'ess' | 'supervisor' | 'echo';

/** Every link of the site; each one goes through its own Toxiproxy proxy. */
export const LINK_NAMES = [
  'acd-primary',
  'acd-secondary',
  'acd-primary-ess',
  'acd-secondary-ess',
  'heartbeat',
  'admin-sync',
  'ess-cm',
  'client-primary',
  'client-secondary',
] as const;
export type LinkName = (typeof LINK_NAMES)[number];

/** Ports the stand-ins listen on inside the topology network (upstream side of each proxy). */
export const PORTS = {
  /** HTTP status, events and control: reached from the host directly, never through a proxy. */
  control: 7000,
  /** ACD channel of the primary CMS on cm / ess. */
  acdPrimary: 5001,
  /** ACD channel of the secondary CMS on cm / ess. */
  acdSecondary: 5002,
  /** ESS registration and keep-alive on cm. */
  essCm: 5010,
  /** Heartbeat responder on cms-primary. */
  heartbeat: 6000,
  /** Admin-Sync on cms-secondary: the primary dials it; changes then flow both ways on that one connection. */
  adminSync: 6001,
  /** Client logins on each CMS. */
  client: 6002,
} as const;

/**
 * Every timer of the site (DESIGN.md §1, "Timers"), in milliseconds of real time.
 * The harness multiplies each `*Ms` field by the time scale before handing it to a stand-in.
 */
export interface Timers {
  /** Period of the secondary's heartbeat. Default 20_000 (seed). */
  heartbeatIntervalMs: number;
  /** How long the secondary waits for one heartbeat answer. Default 5_000. */
  heartbeatTimeoutMs: number;
  /** Consecutive unanswered heartbeats that make the secondary ACTIVE. Default 3. */
  heartbeatMisses: number;
  /** Dual-IP: time between two connection attempts. Default 30_000. */
  linkRetryMs: number;
  /** Dual-IP: attempts at the main CM per cycle. Default 5. */
  mainAttempts: number;
  /** Dual-IP: attempts at the ESS per cycle. Default 2. */
  essAttempts: number;
  /** ACD keep-alive period, both ways. Default 10_000. */
  keepaliveIntervalMs: number;
  /** Silent keep-alive periods after which a link is declared lost. Default 3. */
  keepaliveMisses: number;
  /** Translation pump-up before data transfer. Default 5_000. */
  pumpupMs: number;
  /** ESS: main CM unreachable this long before the ESS goes ACTIVE. Default 300_000 (180_000–900_000). */
  essNoServiceTimeoutMs: number;
  /** ESS: time spent RESETTING before STANDBY. Default 60_000. */
  essResetMs: number;
  /** ACD events per second sent by an active CM/ESS to each linked CMS. Default 10 (not scaled). */
  acdEventRateHz: number;
}

export const DEFAULT_TIMERS: Readonly<Timers> = Object.freeze({
  heartbeatIntervalMs: 20_000,
  heartbeatTimeoutMs: 5_000,
  heartbeatMisses: 3,
  linkRetryMs: 30_000,
  mainAttempts: 5,
  essAttempts: 2,
  keepaliveIntervalMs: 10_000,
  keepaliveMisses: 3,
  pumpupMs: 5_000,
  essNoServiceTimeoutMs: 300_000,
  essResetMs: 60_000,
  acdEventRateHz: 10,
});

/** HA policies of the site. */
export interface Policy {
  /** The secondary makes itself ACTIVE after `heartbeatMisses` misses. Default true. */
  autoFailover: boolean;
  /** A returning primary takes the ACTIVE role back by itself. Default false (manual failback). */
  autoFailback: boolean;
  /**
   * What a returning primary does when it finds the secondary ACTIVE (autoFailback false):
   * `hold-standby` makes it STANDBY; `stay-active` keeps it ACTIVE and raises DUAL_ACTIVE. Default `hold-standby`.
   */
  returningPrimary: 'hold-standby' | 'stay-active';
  /** ESS: scheduled return to STANDBY this long after going ACTIVE; null means only a forced takeover. Default null. */
  essAutoReturnMs: number | null;
}

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  autoFailover: true,
  autoFailback: false,
  returningPrimary: 'hold-standby',
  essAutoReturnMs: null,
});

/** Where a stand-in dials one of its outgoing links: always the Toxiproxy listener of that link. */
export interface Dial {
  host: string;
  port: number;
}

/** The whole configuration of one stand-in process, passed as JSON in the CMSHA_CONFIG environment variable. */
export interface StandinConfig {
  node: NodeName;
  kind: StandinKind;
  /** Timers already multiplied by the time scale. */
  timers: Timers;
  policy: Policy;
  /** Outgoing links of this node and where to dial them. */
  dials: Partial<Record<LinkName, Dial>>;
  /** Ports this node listens on (besides `PORTS.control`). */
  listens: number[];
  /**
   * Listen, but start behaving (dialling, timers) only on the control action `begin`. The harness sets it so no
   * node dials a peer whose container is still starting: Toxiproxy accepts one client at a time per proxy while it
   * dials the upstream, and a dial to a half-started container holds that proxy for seconds. Default false.
   */
  awaitBegin?: boolean;
  /**
   * CMS only: a writable folder for the state that must survive a restart (the Admin-Sync change log and what was
   * applied from the peer, in `<dataDir>/admin-sync.json`). The image provides /var/lib/cmsha for a volume.
   * Unset: nothing is written and a restarted CMS starts afresh.
   */
  dataDir?: string;
  /**
   * The software version this stand-in reports (status, GET /admin, Admin-Sync hellos): dot-separated numbers, e.g.
   * "16.4.0". Default: the image's CMSHA_VERSION (set when the image is built), else DEFAULT_VERSION.
   */
  version?: string;
}

/** Environment variable the stand-in image sets from its build argument of the same name (see StandinConfig.version). */
export const VERSION_ENV = 'CMSHA_VERSION';
/** The version a stand-in reports when neither its configuration nor its image says one. */
export const DEFAULT_VERSION = '16.4.0';

/**
 * Defects planted in a candidate image on purpose, to prove that `cmsha validate` catches a regression of each kind
 * (build argument CMSHA_PLANT, a comma-separated list; `cmsha image --plant`). An image without it has none.
 */
export const PLANT_ENV = 'CMSHA_PLANT';
export const PLANTS = {
  'failover-one-beat-late': 'the secondary goes ACTIVE one heartbeat after the configured number of misses',
  'supervisor-on-standby': 'a STANDBY CMS accepts the supervisor’s login',
  'handover-one-exchange-longer': 'an automatic failback tells the secondary to go STANDBY one heartbeat exchange later',
  'older-applies-newer': 'Admin-Sync ignores versions: changes are sent to an older CMS, and an older CMS applies a newer one’s',
} as const;
export type Plant = keyof typeof PLANTS;
export const PLANT_NAMES = Object.keys(PLANTS) as Plant[];

// ---------------------------------------------------------------------------------------------
// Observation: status and events served on the control port.

export type HaRole = 'ACTIVE' | 'STANDBY';
export type AcdLinkState = 'IDLE' | 'CONNECTING' | 'WAITING_ACCEPTANCE' | 'TRANSLATION_PUMPUP' | 'DATA_TRANSFER';
export type EssState = 'STANDBY' | 'NO_SERVICE_TIMING' | 'ACTIVE' | 'RESETTING';
export type AlarmName =
  | 'DUAL_ACTIVE'
  | 'ADMIN_SYNC_LAG'
  | 'ACD_LINK_DOWN'
  | 'HEARTBEAT_LOST'
  /** A CMS that is not ACTIVE has known no ACTIVE peer for the detection window (misses·interval + timeout). */
  | 'NO_ACTIVE_CMS'
  /** An object was changed on both CMS while they could not hear each other; raised until both hold one value. */
  | 'ADMIN_SYNC_CONFLICT'
  /** Raised on the CMS holding changes its peer cannot read (the peer runs an older version), until it is upgraded. */
  | 'ADMIN_SYNC_VERSION';
export type AcdTarget = 'cm' | 'ess';

/** Monotonic time in nanoseconds (`process.hrtime.bigint()`), as a decimal string so JSON keeps every digit. */
export type MonoNs = string;

interface EventBase {
  /** Per-node sequence number, from 1, no gaps. */
  seq: number;
  node: NodeName;
  atNs: MonoNs;
}

/** A stand-in reports a timer that fired this late or later (a `late-timer` event). */
export const LATE_TIMER_MS = 20;

export type StandinEvent = EventBase &
  (
    | { type: 'started'; kind: StandinKind }
    /** It began behaving (dialling, timers): at its start, or on the harness's `begin` (see StandinConfig.awaitBegin). */
    | { type: 'begun' }
    | { type: 'role'; role: HaRole; previous: HaRole | null; reason: string }
    | { type: 'acd-link'; target: AcdTarget; state: AcdLinkState; attempt: number; cycle: number; reason?: string }
    | {
        type: 'heartbeat';
        /** Secondary: sent, answered, missed. Primary: received (every request, stale ones too). */
        outcome: 'sent' | 'answered' | 'missed' | 'received';
        beat: number;
        consecutiveMisses: number;
        /** received: the sender's role; answered: the primary's role in the answer. */
        peerRole?: HaRole;
        /**
         * received: the secondary declared the primary lost (heartbeatMisses misses) and has not heard it since, so
         * this beat is a return of the primary and the return policy applies, whether the secondary then became ACTIVE
         * by itself, by an operator, or stayed STANDBY. (The name is historical: it used to mean "ACTIVE by its own
         * automatic failover".)
         */
        takenOver?: boolean;
        /**
         * sent: how many ms after its slot on the fixed grid the beat's timer fired. The slot (atNs − lateMs) is
         * where the protocol's timings start: the following beats and their deadlines stay on the grid.
         */
        lateMs?: number;
      }
    | { type: 'alarm'; alarm: AlarmName; raised: boolean; detail: string }
    /**
     * A timer of the stand-in fired `lateMs` after it was due (only from LATE_TIMER_MS up): the host could not give
     * the process the CPU in time, and timings measured across it say more about the host than about the site.
     */
    | { type: 'late-timer'; machine: string; lateMs: number }
    | {
        type: 'admin';
        /**
         * On the CMS where the change was made (origin = this node): changed, then queued (link down) or sent,
         * later acked. On the other CMS (origin = the peer): applied, or duplicate-ignored.
         */
        action: 'changed' | 'queued' | 'sent' | 'applied' | 'duplicate-ignored' | 'acked';
        /** The CMS the change was made on: each CMS numbers its own changes 1, 2, 3... */
        origin: CmsName;
        /** The change's number within its origin (the event's own number is `seq`, from EventBase). */
        changeSeq: number;
        /** The administered object the change sets (see ControlRequest `admin-change`). */
        object?: string;
      }
    /**
     * An object changed on both CMS while they could not hear each other (DESIGN.md §1 "Conflicts"). `detected`: on
     * each CMS when the peer's change to it arrives while this CMS has an unacknowledged change of its own to it.
     * `resolved`: on each CMS once it holds the winner's value (the CMS ACTIVE after the return, the primary if both
     * stay ACTIVE; the primary decides and tells the secondary).
     */
    | { type: 'admin-conflict'; phase: 'detected'; object: string; own: string; peer: string }
    | { type: 'admin-conflict'; phase: 'resolved'; object: string; value: string; lost: string; winner: CmsName; loser: CmsName }
    /** The Admin-Sync link of this CMS came up (hellos exchanged) or went down. */
    | { type: 'admin-link'; up: boolean; peer: CmsName; reason: string }
    | {
        type: 'acd-gap';
        /** Where the data resumed from. */
        source: AcdTarget;
        /**
         * What the numbers looked like: sequence (same source, ahead), source-switch (cm <-> ess), source-restart (same
         * source, not ahead). Whatever the cause, `missing` is the silence between the last event and the next one
         * counted in event periods: the numbers cannot be trusted (cm and ess number separately; a restarted source
         * numbers anew, possibly past the old last seq). A CMS restarted with a data folder counts its own downtime so.
         */
        cause: 'sequence' | 'source-switch' | 'source-restart';
        /** The missing events, in the numbering of the source BEFORE the gap: lastSeq + 1 .. lastSeq + missing. */
        fromSeq: number;
        toSeq: number;
        missing: number;
        /** Time between the last event before the gap and the first one after it. */
        silentMs: number;
      }
    /** cm / ess: its own view of a CMS session: accepted (pump-up), in data transfer, ended. */
    | { type: 'acd-session'; cms: CmsName; phase: 'pumpup' | 'data' | 'ended'; reason: string }
    | { type: 'ess'; state: EssState; previous: EssState; reason: string }
    /**
     * cm: it took or gave up control of the switch (DESIGN.md §1 "Switch control"); while not in control it rejects CMS
     * links and streams nothing. The ESS is in control exactly while ACTIVE (its `ess` events).
     */
    | { type: 'switch-control'; inControl: boolean; reason: string }
    | { type: 'client'; action: 'logged-in' | 'lost'; target: CmsName | null }
    | { type: 'log'; message: string }
  );
export type StandinEventType = StandinEvent['type'];

/** GET /status */
export interface StandinStatus {
  node: NodeName;
  kind: StandinKind;
  /** The software version of this stand-in (StandinConfig.version, else the image's CMSHA_VERSION). */
  version: string;
  /** The defects planted in its image (CMSHA_PLANT); absent when none. */
  plants?: Plant[];
  nowNs: MonoNs;
  /** Connections accepted before `begin`, held unread until then (see StandinConfig.awaitBegin). */
  heldConnections: number;
  /** CMS only. */
  role?: HaRole;
  /**
   * CMS only: true while a primary holds STANDBY because it has not yet heard the secondary since it started; it
   * decides on the first heartbeat, or on its own once the no-secondary deadline passes.
   */
  pending?: boolean;
  /** CMS only: state of its ACD link and which CM it is on. */
  acd?: { state: AcdLinkState; target: AcdTarget | null; cycle: number; attempt: number };
  /** CMS only: ACD sequence numbers received and gaps. */
  acdData?: { received: number; lastSeq: number; gaps: number; missing: number };
  /**
   * CMS only. ownLastSeq / ownAckedSeq: changes made on this CMS and how many of them the peer acknowledged;
   * peerApplied: the last change of the peer's origin applied here; queued: own changes not yet acknowledged.
   */
  adminSync?: { ownLastSeq: number; ownAckedSeq: number; peerApplied: number; queued: number };
  /** CMS only. */
  heartbeat?: { sent: number; answered: number; consecutiveMisses: number };
  /** ESS only. */
  ess?: { state: EssState };
  /** CM / ESS: CMS channels currently in data transfer. */
  linkedCms?: CmsName[];
  /**
   * CM / ESS: whether this switch is in control (serves CMS links). The CM says false while it has not yet learned,
   * after its start, whether the ESS is in control.
   */
  inControl?: boolean;
  /** Supervisor only: the CMS it is logged in to. */
  loggedInTo?: CmsName | null;
  alarms: AlarmName[];
  lastEventSeq: number;
}

/** GET /events?after=N returns the events with seq > N, and which life of the stand-in they belong to. */
export interface EventsResponse {
  events: StandinEvent[];
  /**
   * When this stand-in process began (monotonic ns, decimal): a different value from one answer to the next means
   * the node restarted in between and numbers its events from 1 again, even if no poll caught it down.
   */
  life: string;
}

/** POST /control with one of these bodies. A bad request gets 400 with { error }. */
export type ControlRequest =
  /**
   * Start behaving (only meaningful with `awaitBegin`; a no-op once begun). `restart`: this life follows a kill or a
   * stop, and connections that came before it began are reset, as a process not yet running would have refused them
   * (at a site's start they are served: every node begins together).
   */
  | { action: 'begin'; restart?: boolean }
  | { action: 'set-active' }
  | { action: 'set-standby' }
  /**
   * An administration change on the ACTIVE CMS (409 on a STANDBY one): `object` (non-empty) takes `value`. Pushed to
   * the peer by Admin-Sync.
   */
  | { action: 'admin-change'; object: string; value: string }
  /** cm: force the ESS back to STANDBY (the main CM takes over). */
  | { action: 'forced-takeover' };

export interface ControlResponse {
  ok: true;
  /** admin-change: the number given to the change within its origin (`changeSeq` of its admin events). */
  seq?: number;
  /** admin-change: the CMS the change was made on (`origin` of its admin events). */
  origin?: CmsName;
}

/** GET /admin on a CMS: the administered objects, the conflict records and what is still to be sent. */
export interface AdminView {
  node: CmsName;
  version: string;
  /** Current value of every object, with the change that set it (for a conflict: the winner's change). */
  objects: Record<string, { value: string; origin: CmsName; changeSeq: number }>;
  /** Decided conflicts, oldest first; each keeps the losing value. `atNs`: when this CMS detected it. */
  conflicts: Array<{ object: string; value: string; lost: string; winner: CmsName; loser: CmsName; atNs: MonoNs }>;
  /**
   * Objects in conflict still waiting for a decision: on the secondary until the primary's verdict arrives; on the
   * primary while it has not heard a heartbeat since the two could not hear each other (a return may still change
   * which CMS is ACTIVE). Both CMS keep ADMIN_SYNC_CONFLICT raised meanwhile.
   */
  unresolved: string[];
  /** Own changes not yet acknowledged by the peer. */
  queued: number;
}

export const CONFIG_ENV = 'CMSHA_CONFIG';
