-- Costs the gateway cannot meter that an admin allowed a key or team ("background,tool:web_search"). Cost
-- budgets (the "cost" metric, in millionths of a dollar) and minute and hour periods need no column.
alter table api_keys add column unmetered_allowed varchar(500);
alter table teams add column unmetered_allowed varchar(500);

-- Prices of cache writes and reasoning tokens (null: the input and output prices), and where a price comes
-- from: 'shipped' (the price table in the gateway, updated with it) or 'admin' (set by hand; kept).
alter table model_prices add column cache_write_micros bigint;
alter table model_prices add column reasoning_micros bigint;
alter table model_prices add column source varchar(16) default 'admin' not null;
-- the prices this gateway seeded and nobody changed since are the shipped table's
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-4o' and input_micros = 2500000 and output_micros = 10000000 and cached_input_micros = 1250000;
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-4o-mini' and input_micros = 150000 and output_micros = 600000 and cached_input_micros = 75000;
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-4.1' and input_micros = 2000000 and output_micros = 8000000 and cached_input_micros = 500000;
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-4.1-mini' and input_micros = 400000 and output_micros = 1600000 and cached_input_micros = 100000;
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-4.1-nano' and input_micros = 100000 and output_micros = 400000 and cached_input_micros = 25000;
update model_prices set source = 'shipped' where provider = '' and model = 'o3' and input_micros = 2000000 and output_micros = 8000000 and cached_input_micros = 500000;
update model_prices set source = 'shipped' where provider = '' and model = 'o4-mini' and input_micros = 1100000 and output_micros = 4400000 and cached_input_micros = 275000;
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-5' and input_micros = 1250000 and output_micros = 10000000 and cached_input_micros = 125000;
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-5-mini' and input_micros = 250000 and output_micros = 2000000 and cached_input_micros = 25000;
update model_prices set source = 'shipped' where provider = '' and model = 'gpt-5-nano' and input_micros = 50000 and output_micros = 400000 and cached_input_micros = 5000;
update model_prices set source = 'shipped' where provider = '' and model = 'text-embedding-3-small' and input_micros = 20000 and output_micros = 0 and cached_input_micros = 0;
update model_prices set source = 'shipped' where provider = '' and model = 'text-embedding-3-large' and input_micros = 130000 and output_micros = 0 and cached_input_micros = 0;
update model_prices set source = 'shipped' where provider = '' and model = 'claude-sonnet-4-5' and input_micros = 3000000 and output_micros = 15000000 and cached_input_micros = 300000;
update model_prices set source = 'shipped' where provider = '' and model = 'claude-haiku-4-5' and input_micros = 1000000 and output_micros = 5000000 and cached_input_micros = 100000;
update model_prices set source = 'shipped' where provider = '' and model = 'claude-opus-4-1' and input_micros = 15000000 and output_micros = 75000000 and cached_input_micros = 1500000;
update model_prices set source = 'shipped' where provider = '' and model = 'gemini-2.5-pro' and input_micros = 1250000 and output_micros = 10000000 and cached_input_micros = 310000;
update model_prices set source = 'shipped' where provider = '' and model = 'gemini-2.5-flash' and input_micros = 300000 and output_micros = 2500000 and cached_input_micros = 75000;
update model_prices set source = 'shipped' where provider = '' and model = 'deepseek-chat' and input_micros = 270000 and output_micros = 1100000 and cached_input_micros = 70000;
update model_prices set source = 'shipped' where provider = '' and model = 'llama-3.3-70b-versatile' and input_micros = 590000 and output_micros = 790000 and cached_input_micros = 590000;

-- A Responses API answer's context (prompt and completion tokens), which a continuation prepends.
alter table response_owners add column context_tokens bigint;

-- When a budget last refused a request (a budget is never spent past its limit, so "100 %" is when it refuses).
alter table quotas add column refused_at timestamp with time zone;

-- Budget alerts: one row per budget, threshold and window, claimed by the node that sends the alert, so
-- that each fires exactly once across a cluster.
create table budget_alerts (
    quota_id     bigint not null,
    threshold    integer not null,
    window_start timestamp with time zone not null,
    fired_at     timestamp with time zone not null,
    primary key (quota_id, threshold, window_start)
);
