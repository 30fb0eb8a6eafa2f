-- The audit trail: every administrative change, sign-in and refused sign-in, chained. Each entry carries the hash
-- of the one before it, so an entry edited, removed or cut from the end is found by verifying the chain. Kept
-- apart from the operational events, which are pruned after event_retention.
create table audit_log (
    seq        bigint primary key,
    created_at timestamp with time zone not null,
    actor      varchar(200),
    client_ip  varchar(64),
    action     varchar(40)   not null,
    outcome    varchar(16)   not null,
    detail     varchar(2000) not null,
    prev_hash  varchar(64)   not null,
    hash       varchar(64)   not null
);
create index audit_log_created on audit_log (created_at);

-- The newest entry's number, hash and time. Its row lock orders appends across every node of a cluster; an entry's
-- time is never before the one ahead of it, whatever the nodes' clocks say, so a range of time is a run of numbers.
create table audit_head (
    id         integer primary key,
    seq        bigint      not null,
    hash       varchar(64) not null,
    created_at timestamp with time zone not null
);
insert into audit_head (id, seq, hash, created_at)
    values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
            timestamp with time zone '1970-01-01 00:00:00+00');

-- The last entry audit_forward_url has taken.
create table audit_forwarded (
    id  integer primary key,
    seq bigint not null
);
insert into audit_forwarded (id, seq) values (1, 0);
insert into job_locks (name, owner, locked_until) values ('audit-forward', null, timestamp with time zone '1970-01-01 00:00:00+00');
