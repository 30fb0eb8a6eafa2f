/**
 * Between Anthropic's Messages API and OpenAI's chat completions, both ways: requests, complete answers and
 * streamed answers (event by event, as they arrive), for a client of one API whose request goes to a provider
 * of the other. What has no counterpart in the other API is refused with a clear error, never dropped.
 *
 * <p>Sees only JSON trees and event bytes: no I/O, no JAX-RS, no JPA. Depends on {@code api} and
 * {@code upstream} (usage figures, the completion maximum's field).
 */
package io.tokenrouter.translate;
