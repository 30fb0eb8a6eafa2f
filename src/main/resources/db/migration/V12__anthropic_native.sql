-- The anthropic preset speaks Anthropic's own Messages API now (x-api-key, anthropic-version): providers made
-- from it with a key move over; one without a key keeps calling without a credential.
update providers set auth_style = 'ANTHROPIC' where preset = 'anthropic' and auth_style = 'BEARER';
