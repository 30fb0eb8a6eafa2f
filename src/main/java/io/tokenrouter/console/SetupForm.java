package io.tokenrouter.console;

import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.api.GatewayException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * First run, step one: the one-time setup token from the server log creates the first admin key. The page
 * holds no state (anyone may open it, and a visitor costs the node no session); on success the console
 * signs in with the new key and goes on to {@link WelcomeView}, which shows the key once.
 */
@Named
@RequestScoped
public class SetupForm {

    @Inject
    ConsoleSession account;
    @Inject
    SessionService sessions;

    private String setupToken;
    private String name = "first-admin";

    /** Opens the page: once an admin exists, setup is closed. */
    public void onLoad() {
        if (!account.isSetupPending()) {
            ConsoleSession.redirect("signin.xhtml");
        }
    }

    public String createAdmin() {
        try {
            CreatedKey created = sessions.setup(setupToken, name, account.clientIp());
            account.signInWith(created);
            Console.request().getSession(false).setAttribute(WelcomeView.CREATED_KEY, new WelcomeView.CreatedSecret(created.secret()));
            return "welcome?faces-redirect=true";
        } catch (GatewayException e) {
            Console.refused(e);
            return null;
        }
    }

    public String getSetupToken() {
        return setupToken;
    }

    public void setSetupToken(String setupToken) {
        this.setupToken = setupToken;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
