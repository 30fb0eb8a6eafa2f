package io.tokenrouter.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** Console sessions are counted by id, never below what exists, with the last tenth kept for admins. */
class OpenSessionsTest {

    private final OpenSessions listener = new OpenSessions();

    private static HttpSessionEvent event(String id) {
        HttpSession session = (HttpSession) Proxy.newProxyInstance(HttpSession.class.getClassLoader(),
                new Class<?>[] {HttpSession.class}, (proxy, method, args) -> method.getName().equals("getId") ? id : null);
        return new HttpSessionEvent(session);
    }

    @Test
    void sessionsAreCountedByIdAndAnUnknownEndDoesNotCount() {
        int before = OpenSessions.count();
        listener.sessionCreated(event("open-a"));
        listener.sessionCreated(event("open-b"));
        listener.sessionIdChanged(event("open-b2"), "open-b");
        listener.sessionDestroyed(event("restored-from-disk"));
        assertThat(OpenSessions.count()).isEqualTo(before + 2);

        listener.sessionDestroyed(event("open-a"));
        listener.sessionDestroyed(event("open-b2"));
        listener.sessionDestroyed(event("open-b2"));
        assertThat(OpenSessions.count()).isEqualTo(before);
    }

    @Test
    void theLastTenthIsKeptForAdmins() {
        int before = OpenSessions.count();
        for (int i = 0; i < 9; i++) {
            listener.sessionCreated(event("tenth-" + i));
        }
        try {
            int max = before + 10;
            OpenSessions.checkRoomFor(Role.ADMIN, max);
            assertThatThrownBy(() -> OpenSessions.checkRoomFor(Role.KEYMASTER, max)).isInstanceOfSatisfying(
                    GatewayException.class, e -> assertThat(e.status()).isEqualTo(503));
            listener.sessionCreated(event("tenth-9"));
            assertThatThrownBy(() -> OpenSessions.checkRoomFor(Role.ADMIN, max))
                    .hasMessageContaining("console_max_sessions " + max);
        } finally {
            for (int i = 0; i < 10; i++) {
                listener.sessionDestroyed(event("tenth-" + i));
            }
        }
    }
}
