-- actor-dhcpd lease database, schema version 1: leases shared by several servers, their heartbeats.
-- Applied by `actor-dhcpd migrate`; the runner records each version in actor_dhcpd_schema in the same transaction.

-- The order of every change to a lease: each write takes the next value under one advisory lock, so a reader that
-- has seen every change up to N has seen all of them (no change with a smaller number commits later).
CREATE SEQUENCE lease_change_seq;

CREATE TABLE leases (
  ip          inet        PRIMARY KEY CHECK (family(ip) = 4 AND masklen(ip) = 32),
  subnet_id   integer     NOT NULL,
  client_key  text        NOT NULL,
  state       text        NOT NULL,
  -- The lease machine's snapshot (state, context with absolute times, timers), as the daemon rehydrates it.
  record      jsonb       NOT NULL,
  expires_at  timestamptz,
  -- The row's version: a conditional write succeeds only on the version its server last saw.
  seq         bigint      NOT NULL,
  -- A deleted lease stays as a tombstone, so other servers learn of the delete through the change feed.
  deleted     boolean     NOT NULL DEFAULT false,
  written_by  text        NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX leases_by_client ON leases (subnet_id, client_key, seq DESC) WHERE NOT deleted;
CREATE INDEX leases_by_seq ON leases (seq);

-- Every change, from a daemon or an operator's psql, is serialized, numbered and announced.
CREATE FUNCTION leases_number_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7400302);
  NEW.seq := nextval('lease_change_seq');
  NEW.written_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER leases_number_change BEFORE INSERT OR UPDATE ON leases
  FOR EACH ROW EXECUTE FUNCTION leases_number_change();

-- A DELETE becomes a tombstone (an UPDATE), so the servers' caches hear of it. Purging tombstones (all servers
-- have seen them): SET session_replication_role = replica; DELETE FROM leases WHERE deleted;
CREATE FUNCTION leases_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE leases SET deleted = true, written_by = 'sql' WHERE ip = OLD.ip AND NOT deleted;
  RETURN NULL;
END $$;

CREATE TRIGGER leases_tombstone BEFORE DELETE ON leases
  FOR EACH ROW EXECUTE FUNCTION leases_tombstone();

CREATE FUNCTION leases_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('actor_dhcpd_leases', '');
  RETURN NULL;
END $$;

CREATE TRIGGER leases_announce AFTER INSERT OR UPDATE ON leases
  FOR EACH STATEMENT EXECUTE FUNCTION leases_announce();

-- One row per server, updated every scaleOut.heartbeatMs; a stale row means the server is down.
CREATE TABLE servers (
  name          text        PRIMARY KEY,
  heartbeat_at  timestamptz NOT NULL,
  started_at    timestamptz NOT NULL,
  pid           integer,
  version       text
);
