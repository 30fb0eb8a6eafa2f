/**
 * What a request used: the {@link io.tokenrouter.usage.UsageRecord} made once per request (its outcome a
 * {@link io.tokenrouter.store.Outcome}), the
 * {@link io.tokenrouter.usage.UsageRecorder} that takes it off the request path, and the tokenizer
 * that counts tokens when a provider reports none.
 *
 * <p>Depends on {@code api}, {@code config} and {@code store}.
 */
package io.tokenrouter.usage;
