/**
 * The application's start-up and its JAX-RS applications: {@link io.tokenrouter.boot.GatewayStartup} brings
 * every service up in order when the web application starts; {@link io.tokenrouter.boot.ProxyApplication}
 * ({@code /v1}) and {@link io.tokenrouter.boot.ManagementApplication} ({@code /api}) share
 * {@link io.tokenrouter.boot.GatewayApplication}'s authentication and error envelope; the OpenAPI document
 * describes both. The top of the layout: nothing depends on it.
 *
 * <p>Depends on the surfaces ({@code proxy}, {@code management}) and the services they start.
 */
package io.tokenrouter.boot;
