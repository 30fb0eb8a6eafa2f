-- Nodes starting together on a new database take this row's lock in turn while they store what their
-- configuration seeds (the admin key, providers, aliases, settings), so neither fails on the other's rows.
insert into job_locks (name, owner, locked_until) values ('startup', null, timestamp with time zone '1970-01-01 00:00:00+00');
