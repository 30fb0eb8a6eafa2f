package io.tokenrouter.console;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import jakarta.servlet.http.Cookie;

/**
 * Light or dark: the browser remembers the visitor's choice in a cookie ({@value #COOKIE} = light or dark,
 * set by the toggle in the navigation bar); without one the console follows the system's preference,
 * switched in the page before it is shown.
 */
@Named("theme")
@RequestScoped
public class ConsoleTheme {

    static final String COOKIE = "tr_theme";
    static final String LIGHT = "saga-blue";
    static final String DARK = "vela-blue";

    private String choice;

    /** "light", "dark" or "system". */
    public String getChoice() {
        if (choice == null) {
            choice = "system";
            Cookie[] cookies = Console.request().getCookies();
            if (cookies != null) {
                for (Cookie cookie : cookies) {
                    if (COOKIE.equals(cookie.getName()) && ("light".equals(cookie.getValue()) || "dark".equals(cookie.getValue()))) {
                        choice = cookie.getValue();
                    }
                }
            }
        }
        return choice;
    }

    /** The PrimeFaces theme the page is rendered with. */
    public String getName() {
        return "dark".equals(getChoice()) ? DARK : LIGHT;
    }

    public String getLight() {
        return LIGHT;
    }

    public String getDark() {
        return DARK;
    }
}
