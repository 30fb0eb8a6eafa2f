/**
 * The JSON management API under {@code /api}: teams, keys, quotas, providers, aliases, profiles and
 * settings, with the same role rules as the console (admin: everything; keymaster: keys beneath
 * itself; inferrer: its own usage). Resources translate HTTP to the services of {@code access},
 * {@code quota}, {@code provider} and {@code routing} and return their DTOs.
 */
package io.tokenrouter.management;
