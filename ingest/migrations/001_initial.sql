-- anju-ingest schema, version 1 (docs: ingest/README.md). Applied in one transaction by
-- ingest/migrate.ts and recorded in schema_migrations; never edit a released file, add 002_*.sql.

-- One row per hub database (hub, epoch): the highest contiguous seq and report_seq stored here.
-- Its row lock is what serialises two ingest instances writing the same hub (ingest/store.ts).
CREATE TABLE hub_epochs (
  hub                 text        NOT NULL,
  epoch               text        NOT NULL,          -- '' from hubs that send none
  contiguous          bigint      NOT NULL DEFAULT 0, -- every seq 1..contiguous is in events
  max_seq             bigint      NOT NULL DEFAULT 0,
  hole_since          timestamptz,                    -- a seq is missing above contiguous since then
  report_contiguous   bigint      NOT NULL DEFAULT 0, -- every report_seq 1..this is in reports or reports_lost
  max_report_seq      bigint      NOT NULL DEFAULT 0,
  report_hole_since   timestamptz,
  resync_requested_at timestamptz,                    -- the last resync an instance claimed for this epoch
  resyncs             integer     NOT NULL DEFAULT 0,
  first_seen          timestamptz NOT NULL DEFAULT now(),
  last_seen           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hub, epoch)
);

-- Alarms and events, deduplicated by id (unique per hub: a hub cannot shadow another hub's ids).
CREATE TABLE events (
  hub         text        NOT NULL,
  id          text        NOT NULL,
  epoch       text        NOT NULL,
  seq         bigint      NOT NULL,
  ts          bigint,
  type        text        NOT NULL,
  severity    text        NOT NULL,
  device      text,
  state       text        NOT NULL,
  data        jsonb       NOT NULL,
  message     jsonb       NOT NULL,                   -- the whole message as received (fields v1 may add)
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hub, id)
);
CREATE INDEX events_seq ON events (hub, epoch, seq);
CREATE INDEX events_hub_type ON events (hub, type, received_at);

CREATE TABLE reports (
  hub         text        NOT NULL,
  id          text        NOT NULL,
  epoch       text        NOT NULL,
  report_seq  bigint      NOT NULL,
  ts          bigint,
  type        text        NOT NULL,
  severity    text        NOT NULL,
  device      text,
  state       text        NOT NULL,
  data        jsonb       NOT NULL,
  gap_from    bigint,
  gap_to      bigint,
  message     jsonb       NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hub, id)
);
CREATE INDEX reports_seq ON reports (hub, epoch, report_seq);

-- report_seqs a hub named in a report's gap: evicted before it could send them, lost for good.
CREATE TABLE reports_lost (
  hub        text   NOT NULL,
  epoch      text   NOT NULL,
  report_seq bigint NOT NULL,
  PRIMARY KEY (hub, epoch, report_seq)
);

-- Alarms and events a hub could not commit (docs/uplink.md 4a): the cloud's only copy until the
-- committed one (same id) arrives on events.
CREATE TABLE unstored (
  hub         text        NOT NULL,
  id          text        NOT NULL,
  epoch       text        NOT NULL,
  reason      text        NOT NULL,
  ts          bigint,
  type        text        NOT NULL,
  severity    text        NOT NULL,
  device      text,
  state       text        NOT NULL,
  data        jsonb       NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hub, id)
);

-- Presence: the retained status (birth, will, shutdown) and the last heartbeat of each hub.
CREATE TABLE hubs (
  hub               text        PRIMARY KEY,
  state             text,                            -- online | offline
  reason            text,                            -- offline: shutdown | connection_lost
  state_since       timestamptz,                     -- when we received that status (a will's ts is its session's)
  version           text,
  started_ts        bigint,
  epoch             text,                            -- the epoch of its latest birth, heartbeat or event
  last_heartbeat_at timestamptz,
  heartbeat         jsonb,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Messages that failed validation: what, from where, why (counted and kept for the operator).
CREATE TABLE rejected (
  received_at timestamptz NOT NULL DEFAULT now(),
  topic       text        NOT NULL,
  problem     text        NOT NULL,
  payload     text        NOT NULL                   -- at most 4 KiB of it, NULs removed
);
CREATE INDEX rejected_time ON rejected (received_at);

-- What an operator must look at, one row per hub and problem:
--   offline (will or shutdown), heartbeat_missing (online but silent for missing_after_s),
--   storage_full / disk_full (raised, not cleared, in the hub's current epoch),
--   unstored (an alarm or event the hub could not commit and whose committed copy has not come),
--   seq_hole / report_hole (a sequence hole open since `since`).
CREATE FUNCTION hub_attention(missing_after_s integer DEFAULT 180)
RETURNS TABLE (hub text, problem text, since timestamptz, detail jsonb)
LANGUAGE sql STABLE AS $$
  SELECT h.hub, 'offline', h.state_since, jsonb_build_object('reason', h.reason, 'version', h.version)
    FROM hubs h WHERE h.state = 'offline'
  UNION ALL
  SELECT h.hub, 'heartbeat_missing', h.last_heartbeat_at, jsonb_build_object('last_heartbeat', h.heartbeat)
    FROM hubs h
   WHERE h.state IS DISTINCT FROM 'offline' AND h.last_heartbeat_at < now() - make_interval(secs => missing_after_s)
  UNION ALL
  SELECT c.hub, substr(c.type, 5), c.received_at, c.data || jsonb_build_object('event_id', c.id, 'seq', c.seq)
    FROM (SELECT DISTINCT ON (e.hub, e.type) e.*
            FROM events e JOIN hubs h ON h.hub = e.hub AND h.epoch = e.epoch
           WHERE e.type IN ('hub.storage_full', 'hub.disk_full')
           ORDER BY e.hub, e.type, e.seq DESC) c
   WHERE c.state = 'raised'
  UNION ALL
  SELECT u.hub, 'unstored', u.received_at,
         jsonb_build_object('id', u.id, 'type', u.type, 'severity', u.severity, 'state', u.state, 'reason', u.reason, 'device', u.device)
    FROM unstored u WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.hub = u.hub AND e.id = u.id)
  UNION ALL
  SELECT he.hub, 'seq_hole', he.hole_since,
         jsonb_build_object('epoch', he.epoch, 'contiguous', he.contiguous, 'max_seq', he.max_seq, 'resyncs', he.resyncs)
    FROM hub_epochs he WHERE he.hole_since IS NOT NULL
  UNION ALL
  SELECT he.hub, 'report_hole', he.report_hole_since,
         jsonb_build_object('epoch', he.epoch, 'report_contiguous', he.report_contiguous, 'max_report_seq', he.max_report_seq, 'resyncs', he.resyncs)
    FROM hub_epochs he WHERE he.report_hole_since IS NOT NULL
$$;

-- The same with the default threshold, for a quick look: SELECT * FROM hub_attention_now;
CREATE VIEW hub_attention_now AS SELECT * FROM hub_attention();
