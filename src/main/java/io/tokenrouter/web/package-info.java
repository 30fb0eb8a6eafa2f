/**
 * Glue to the servlet container: the error page it shows for what never reached a JAX-RS application
 * (unknown paths, wrong methods, errors outside them), the OpenAI error envelope for the API and the
 * console's own page under {@code /admin}, never the container's HTML that names the server; and the
 * client address of each console and management request, for the audit trail.
 *
 * <p>Depends on {@code api}, {@code access} and {@code runtime}.
 */
package io.tokenrouter.web;
