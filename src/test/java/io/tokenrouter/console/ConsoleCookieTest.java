package io.tokenrouter.console;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The console cookie's attributes, and which ended HTTP sessions end their gateway session. */
class ConsoleCookieTest {

    @Test
    void theCookieIsHttpOnlyStrictLimitedToTheConsoleAndSecureOverHttps() {
        Cookie overHttps = ConsoleFilter.cookie(request("/gw", true, null), "trs_abc", -1);
        assertThat(overHttps.getName()).isEqualTo("tr_console");
        assertThat(overHttps.getValue()).isEqualTo("trs_abc");
        assertThat(overHttps.getPath()).isEqualTo("/gw/admin");
        assertThat(overHttps.isHttpOnly()).isTrue();
        assertThat(overHttps.getSecure()).isTrue();
        assertThat(overHttps.getAttribute("SameSite")).isEqualTo("Strict");
        assertThat(overHttps.getMaxAge()).as("gone when the browser closes").isEqualTo(-1);

        Cookie overHttp = ConsoleFilter.cookie(request("", false, null), "", 0);
        assertThat(overHttp.getPath()).isEqualTo("/admin");
        assertThat(overHttp.getSecure()).isFalse();
        assertThat(overHttp.getMaxAge()).isZero();
    }

    @Test
    void onlyTokenShapedCookiesAreLookedUp() {
        assertThat(ConsoleFilter.cookieToken(request("", false, new Cookie[] {new Cookie("tr_console", "trs_x1")})))
                .isEqualTo("trs_x1");
        assertThat(ConsoleFilter.cookieToken(request("", false, new Cookie[] {new Cookie("tr_console", "tr-key")}))).isNull();
        assertThat(ConsoleFilter.cookieToken(request("", false,
                new Cookie[] {new Cookie("tr_console", "trs_" + "a".repeat(200))}))).isNull();
        assertThat(ConsoleFilter.cookieToken(request("", false, null))).isNull();
    }

    @Test
    void onlyASessionIdleForItsWholeTimeoutEndsTheGatewaySession() {
        long now = 10_000_000L;
        assertThat(SessionEnd.idledOut(session(1800, now - 1_800_000L), now)).isTrue();
        assertThat(SessionEnd.idledOut(session(1800, now - 1_797_000L), now)).as("within the sweep's slack").isTrue();
        assertThat(SessionEnd.idledOut(session(1800, now - 60_000L), now))
                .as("dropped at shutdown or signed out: the session goes on elsewhere").isFalse();
        assertThat(SessionEnd.idledOut(session(-1, now - 99_000_000L), now)).isFalse();
    }

    private static HttpServletRequest request(String contextPath, boolean secure, Cookie[] cookies) {
        Map<String, Object> answers = new java.util.HashMap<>();
        answers.put("getContextPath", contextPath);
        answers.put("isSecure", secure);
        answers.put("getCookies", cookies);
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> answers.get(method.getName()));
    }

    private static HttpSession session(int timeoutSeconds, long lastAccessed) {
        return (HttpSession) Proxy.newProxyInstance(HttpSession.class.getClassLoader(), new Class<?>[] {HttpSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getMaxInactiveInterval" -> timeoutSeconds;
                    case "getLastAccessedTime" -> lastAccessed;
                    default -> null;
                });
    }
}
