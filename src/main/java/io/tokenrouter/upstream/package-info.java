/**
 * Upstream kinds: built-in provider presets, the adapters (OpenAI's API, Anthropic's) that prepare a request
 * body for an upstream and read usage and errors from its answers, and the SSE parser. Sees only bytes, JSON
 * trees and headers: no JAX-RS, no JPA.
 *
 * <p>Depends on {@code api} and {@code config} (its daemon threads).
 */
package io.tokenrouter.upstream;
