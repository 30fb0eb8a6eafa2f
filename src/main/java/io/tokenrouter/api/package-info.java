/**
 * The wire contract shared by every other package: the endpoints, OpenAI's error envelope (and Anthropic's, for
 * the clients of its Messages API), {@link
 * io.tokenrouter.api.GatewayException} and the exception mappers that write it, the shared Jackson
 * mapper and the {@link io.tokenrouter.api.Usage} figures read from responses.
 *
 * <p>Knows nothing of persistence, routing or the servlet container (its error page lives in {@code web}).
 */
package io.tokenrouter.api;
