-- A provider of the Anthropic preset speaks Anthropic's Messages API with or without a key (V12 moved those with
-- one): a keyless server of that kind is no longer called in OpenAI's format.
update providers set auth_style = 'ANTHROPIC' where preset = 'anthropic' and auth_style = 'NONE';
