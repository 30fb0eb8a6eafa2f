-- The request log is written on the answer's path; its per-minute and per-hour aggregates follow about a
-- second later, in a transaction of their own that also moves the writing node's mark: the node's rows
-- with a larger id are not in the aggregates yet. When a node stops heartbeating, another node adds its
-- rows past the mark from the log and flags the mark as taken over.
alter table request_log add column node_id varchar(64);

create table rollup_marks (
    node_id     varchar(64) primary key,
    rolled_to   bigint      not null,
    taken_over  boolean     not null,
    updated_at  timestamp with time zone not null
);
insert into job_locks (name, owner, locked_until) values ('usage-rollup-takeover', null, timestamp with time zone '1970-01-01 00:00:00+00');
