/**
 * PostgreSQL's schema as numbered migrations, applied in order at start-up (PostgresStore.open).
 * The database keeps the version it is at in its one `schema_version` row; a server refuses a
 * database a newer version of it has migrated, since it would misread what it does not know.
 * A migration is never edited once released: a change is a new entry at the end.
 */
import type { PoolClient } from 'pg';

export interface Migration {
  readonly version: number;
  /** What the migration brings, for the log and the reader. */
  readonly what: string;
  readonly sql: string;
}

/**
 * The tables and meaning of SqliteStore's schema. Differences of type only: times and seeds are
 * bigint (ms since the epoch pass 2³¹), numbers that are float64 in JavaScript are double
 * precision (never real), JSON stays text as the code wrote it (jsonb would reorder keys and
 * respell numbers), ids compare bytewise (COLLATE "C") as SQLite compares them.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'lectures, events (with frames, results of trainings and the event format), answers, flags, datasets',
    sql: `
CREATE TABLE lectures (
  id            text COLLATE "C" PRIMARY KEY,
  title         text NOT NULL,
  created_at    bigint NOT NULL,
  listed        boolean NOT NULL,
  token_hash    text NOT NULL,
  preset        text NOT NULL,
  seed          bigint NOT NULL,
  learning_rate double precision NOT NULL
);
-- The home page's list, a page at a time, newest first (GET /api/lectures?before=).
CREATE INDEX lectures_listed ON lectures (listed, created_at DESC, id DESC);
CREATE TABLE events (
  lecture_id     text COLLATE "C" NOT NULL REFERENCES lectures(id),
  seq            integer NOT NULL,
  at             bigint NOT NULL,
  -- The event format that wrote the row (EVENT_FORMAT_VERSION).
  format         integer NOT NULL,
  command        text NOT NULL,
  frame          text NOT NULL,
  reveal         text,
  trained_params text,
  trained_losses bytea,
  PRIMARY KEY (lecture_id, seq)
);
CREATE TABLE answers (
  lecture_id text COLLATE "C" NOT NULL REFERENCES lectures(id),
  ask_seq    integer NOT NULL,
  client_id  text COLLATE "C" NOT NULL,
  value      double precision NOT NULL,
  at         bigint NOT NULL,
  PRIMARY KEY (lecture_id, ask_seq, client_id)
);
CREATE TABLE flags (
  lecture_id text COLLATE "C" NOT NULL REFERENCES lectures(id),
  client_id  text COLLATE "C" NOT NULL,
  key        text COLLATE "C" NOT NULL,
  PRIMARY KEY (lecture_id, client_id, key)
);
-- Uploaded CSV texts, once each, by digest; "used" once an event names one (unused ones are refused uploads).
CREATE TABLE datasets (
  digest     text COLLATE "C" PRIMARY KEY,
  used       boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  text       text NOT NULL
);
`,
  },
  {
    version: 2,
    what: "events keep their command's client-generated id, unique per lecture (a command is applied once)",
    sql: `
ALTER TABLE events ADD COLUMN command_id text COLLATE "C";
-- A command id names one event of a lecture: a second append with it fails (commands without one are not indexed).
CREATE UNIQUE INDEX events_command_id ON events (lecture_id, command_id) WHERE command_id IS NOT NULL;
`,
  },
  {
    version: 3,
    what: "keyframes: a lecture's state every so often (after each training, every 256 events), so that a load folds only the events after it",
    sql: `
CREATE TABLE keyframes (
  lecture_id   text COLLATE "C" NOT NULL REFERENCES lectures(id),
  seq          integer NOT NULL,
  -- KEYFRAME_FORMAT and EVENT_FORMAT_VERSION of the code that wrote it: a reader uses only its own.
  format       integer NOT NULL,
  event_format integer NOT NULL,
  usage        text NOT NULL,
  state        bytea NOT NULL,
  PRIMARY KEY (lecture_id, seq)
);
-- Out of line, uncompressed: float64 bytes hardly compress, and compressing megabytes costs every write and read.
ALTER TABLE keyframes ALTER COLUMN state SET STORAGE EXTERNAL;
`,
  },
  {
    version: 4,
    what: "narration: a lecture's recorded voice as takes (one per recording session) of chunks (their times and bytes)",
    sql: `
CREATE TABLE narration_takes (
  lecture_id text COLLATE "C" NOT NULL REFERENCES lectures(id),
  take       integer NOT NULL,
  mime       text NOT NULL,
  started_at bigint NOT NULL,
  PRIMARY KEY (lecture_id, take)
);
CREATE TABLE narration_chunks (
  lecture_id text COLLATE "C" NOT NULL,
  take       integer NOT NULL,
  idx        integer NOT NULL,
  -- ms: wall time since the take started, recorded audio before the chunk, audio in it.
  at         integer NOT NULL,
  audio_at   integer NOT NULL,
  duration   integer NOT NULL,
  bytes      integer NOT NULL,
  data       bytea NOT NULL,
  PRIMARY KEY (lecture_id, take, idx),
  FOREIGN KEY (lecture_id, take) REFERENCES narration_takes (lecture_id, take)
);
-- Out of line, uncompressed: Opus does not compress.
ALTER TABLE narration_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
-- The caps' sums (every upload) from the index alone.
CREATE INDEX narration_chunk_sizes ON narration_chunks (lecture_id, bytes);
`,
  },
  {
    version: 5,
    what: 'lecture_owners: which node took which lecture and when (cluster mode; the lock itself is an advisory lock, server/cluster/lease.ts)',
    sql: `
-- A row is believed only while its pid holds the lecture's advisory lock (GET /api/lectures/:id/owner joins pg_locks).
CREATE TABLE lecture_owners (
  lecture_id text COLLATE "C" PRIMARY KEY,
  node       text NOT NULL,
  pid        integer NOT NULL,
  since      bigint NOT NULL
);
`,
  },
];

/** The newest schema this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Any number, the same on every node: the lock that keeps two servers starting at once from migrating twice. */
const MIGRATION_LOCK = 0x6270_6d67; // "bpmg"

/** The database's schema is newer than this server: say which versions, and what to do. */
export class NewerSchemaError extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(
      `the database's schema is at version ${found}, newer than this server knows (${known}): ` +
        'it was migrated by a newer Backprop Live. Run that version (or newer) against it, or point DATABASE_URL at another database.',
    );
    this.name = 'NewerSchemaError';
  }
}

/**
 * Brings the database up to SCHEMA_VERSION in one transaction (all of it or none), under a lock
 * so that servers starting together migrate once. Returns the versions applied. Refuses a newer
 * schema (NewerSchemaError) without touching it.
 */
export async function migrate(client: PoolClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const latest = migrations[migrations.length - 1].version;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // One row at most (the key is always true): the version the database is at.
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)');
    const found = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0]?.version ?? 0;
    if (found > latest) throw new NewerSchemaError(found, latest);
    const applied: number[] = [];
    for (const m of migrations.filter((m) => m.version > found)) {
      await client.query(m.sql);
      applied.push(m.version);
    }
    if (applied.length > 0) {
      await client.query('INSERT INTO schema_version (version) VALUES ($1) ON CONFLICT (one) DO UPDATE SET version = excluded.version', [latest]);
    }
    await client.query('COMMIT');
    return applied;
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}
