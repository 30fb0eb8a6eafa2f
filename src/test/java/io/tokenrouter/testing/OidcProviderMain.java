package io.tokenrouter.testing;

/**
 * Runs the tests' OpenID Connect provider ({@link OidcExtension}: issuer {@code http://127.0.0.1:PORT/default},
 * its sign-in form taking a subject and the claims to put in the tokens) until the process is killed, for scripts
 * such as {@code src/deploy/smoke.sh}.
 */
public final class OidcProviderMain {

    private OidcProviderMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("it.oidc.port", args[0]);
        OidcExtension.server();
        System.out.println("OpenID Connect provider at " + OidcExtension.issuer());
        Thread.currentThread().join();
    }
}
