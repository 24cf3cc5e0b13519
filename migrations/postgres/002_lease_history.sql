-- actor-dhcpd lease database, schema version 2: the lease history (each lease's state transitions), written by the
-- daemon in the same transaction as the lease itself. Bounded like the embedded store's: at most
-- history.perLease rows per address (trimmed in that transaction) and none older than history.retentionDays
-- (swept hourly by each server).
CREATE TABLE lease_history (
  -- The order of the transitions of one address (commit order; the daemon writes them oldest first).
  id          bigserial   PRIMARY KEY,
  ip          inet        NOT NULL CHECK (family(ip) = 4 AND masklen(ip) = 32),
  -- The transition's own time (the lease machine's clock), which the retention sweep compares.
  at          timestamptz NOT NULL,
  -- The transition as the control API and /ui show it: from, to, event, client, xid, message.
  transition  jsonb       NOT NULL,
  written_by  text        NOT NULL
);

CREATE INDEX lease_history_by_ip ON lease_history (ip, id DESC);
CREATE INDEX lease_history_by_at ON lease_history (at);
