/**
 * The JSON management API under {@code /api}: teams, keys, quotas, providers, aliases, profiles and
 * settings, with the same role rules as the console (admin: everything; keymaster: keys beneath
 * itself; inferrer: its own usage). Resources are thin adapters: they translate HTTP to one call of a
 * service of {@code access}, {@code provider}, {@code routing} or {@code observe}, which authorizes,
 * validates, runs one transaction and writes the audit entry, and return its views, or a record of
 * {@code Answers} where the answer is the API's own shape; never a store row.
 *
 * <p>Depends on the services and the foundation, never on {@code proxy}; {@code boot} registers it.
 */
package io.tokenrouter.management;
