/**
 * What the gateway tells its operators: the {@link io.tokenrouter.events.EventLog} of operational events
 * (provider failures, configuration changes, sign-ins, clean-up runs), stored off the calling thread with
 * repeated provider failures folded to one entry per provider and minute, and kept on disk in its
 * {@link io.tokenrouter.events.EventSpool} while the database is unreachable; and
 * {@link io.tokenrouter.events.Redaction}, which takes secrets out of anything written for people to read.
 *
 * <p>Depends on {@code api} (JSON), {@code config} and {@code store}.
 */
package io.tokenrouter.events;
