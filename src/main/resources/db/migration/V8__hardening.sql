-- Whether a provider forwards models its list does not name (null: the preset's default).
alter table providers add column forward_unlisted_models boolean;

-- Which key and team each Responses API answer (and the conversation it belongs to) was given to, per
-- provider, so that a previous_response_id or conversation of another team's is refused instead of being
-- forwarded to a provider organisation both teams share.
create table response_owners (
    provider    varchar(100) not null,
    response_id varchar(200) not null,
    key_id      bigint,
    team_id     bigint,
    created_at  timestamp with time zone not null,
    primary key (provider, response_id)
);
create index response_owners_time on response_owners (created_at);
