/**
 * Glue to the servlet container: the error page it shows for what never reached a JAX-RS application
 * (unknown paths, wrong methods, errors outside them), the OpenAI error envelope for the API and the
 * console's own page under {@code /admin}, never the container's HTML that names the server.
 *
 * <p>Depends on {@code api}.
 */
package io.tokenrouter.web;
