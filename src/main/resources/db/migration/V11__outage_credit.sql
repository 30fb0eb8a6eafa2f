-- How much a limit may be overspent on each node while the database is unreachable and the node's allowance
-- for it is used up (in the limit's unit; cost in millionths of a dollar). 0, the default: such requests are
-- refused with 503 quota_unavailable.
alter table quotas add column outage_credit bigint default 0 not null;
