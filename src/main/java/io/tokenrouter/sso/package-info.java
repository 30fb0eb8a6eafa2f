/**
 * Single sign-on: the console's sign-in through the organisation's OpenID Connect provider
 * ({@link io.tokenrouter.sso.SsoSignIn}) and the people it signs in ({@link io.tokenrouter.sso.PersonDirectory}),
 * each acting through a principal key of their own, with their role taken from their groups at every sign-in.
 *
 * <p>Depends on {@code access} (sessions, the audit trail), {@code store}, {@code config} and {@code api}.
 */
package io.tokenrouter.sso;
