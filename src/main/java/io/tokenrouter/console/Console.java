package io.tokenrouter.console;

import io.tokenrouter.access.Caller;
import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.quota.Money;
import io.tokenrouter.quota.QuotaView;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.component.UIComponent;
import jakarta.faces.component.visit.VisitContext;
import jakarta.faces.component.visit.VisitResult;
import jakarta.faces.context.FacesContext;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every console page shares: the signed-in caller (put on the request by {@link ConsoleFilter}),
 * running a service call so that its refusal becomes a message next to the field it names (and in the
 * page's message area) instead of an error page, and the console's formats for times and numbers.
 */
public final class Console {

    private static final Logger LOG = Logger.getLogger(Console.class.getName());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Console() {
    }

    public static FacesContext faces() {
        return FacesContext.getCurrentInstance();
    }

    public static HttpServletRequest request() {
        return (HttpServletRequest) faces().getExternalContext().getRequest();
    }

    public static jakarta.servlet.http.HttpServletResponse response() {
        return (jakarta.servlet.http.HttpServletResponse) faces().getExternalContext().getResponse();
    }

    /** The signed-in caller of this request. */
    public static Caller caller() {
        Caller caller = (Caller) request().getAttribute(Caller.PROPERTY);
        if (caller == null) {
            throw new IllegalStateException("No signed-in caller on a console page");
        }
        return caller;
    }

    public static boolean isAdmin() {
        Object caller = request().getAttribute(Caller.PROPERTY);
        return caller instanceof Caller c && c.role() == Role.ADMIN;
    }

    /** Runs {@code action}; on success shows {@code done} (if any), on a refusal shows why. */
    public static boolean attempt(Runnable action, String done) {
        return attempt(() -> {
            action.run();
            return Boolean.TRUE;
        }, done) != null;
    }

    /** Runs {@code action} and answers its result; on a refusal shows why and answers null. */
    public static <T> T attempt(Supplier<T> action, String done) {
        try {
            T result = action.get();
            if (done != null) {
                info(done);
            }
            return result;
        } catch (GatewayException e) {
            refused(e);
            return null;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A console action failed", e);
            error("The action failed on the server; it has been logged.");
            return null;
        }
    }

    /** A list the service answers, or an empty one when it refuses (the refusal is shown). */
    public static <T> List<T> listOf(Supplier<List<T>> query) {
        List<T> list = attempt(query, null);
        return list == null ? List.of() : list;
    }

    /** Shows a service's refusal next to the field its parameter names (when the page has one) and at the top. */
    public static void refused(GatewayException e) {
        FacesContext faces = faces();
        String field = e.param() == null ? null : fieldId(e.param());
        if (field != null) {
            String clientId = clientIdOf(faces, field);
            if (clientId != null) {
                faces.addMessage(clientId, new FacesMessage(FacesMessage.SEVERITY_ERROR, e.getMessage(), e.getMessage()));
            }
        }
        faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, e.getMessage(), null));
        faces.validationFailed();
    }

    public static void info(String message) {
        faces().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, message, null));
    }

    public static void error(String message) {
        faces().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, message, null));
        faces().validationFailed();
    }

    /** The component id a parameter's field has on a page: {@code quotas[0].limit} → {@code quotas_0_limit}. */
    static String fieldId(String param) {
        return param.replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("_+$", "");
    }

    /** The client id of the field {@code id}: within what this request submitted first (a page may have two forms with a "name"). */
    private static String clientIdOf(FacesContext faces, String id) {
        for (String executed : faces.getPartialViewContext().getExecuteIds()) {
            UIComponent scope = faces.getViewRoot().findComponent(":" + executed);
            String found = scope == null ? null : find(faces, scope, id);
            if (found != null) {
                return found;
            }
        }
        return find(faces, faces.getViewRoot(), id);
    }

    private static String find(FacesContext faces, UIComponent scope, String id) {
        String[] found = new String[1];
        scope.visitTree(VisitContext.createVisitContext(faces), (context, component) -> {
            if (id.equals(component.getId()) && component.isRendered()) {
                found[0] = component.getClientId(faces);
                return VisitResult.COMPLETE;
            }
            return VisitResult.ACCEPT;
        });
        return found[0];
    }

    /** A form field's text, trimmed; null when empty. */
    public static String text(String field) {
        return field == null || field.isBlank() ? null : field.trim();
    }

    public static String time(Instant t) {
        return t == null ? "—" : TIME.format(t);
    }

    /** "in 3 h 20 min", "5 min ago". */
    public static String relative(Instant t) {
        if (t == null) {
            return "—";
        }
        Duration d = Duration.between(Instant.now(), t);
        String span = span(d.abs());
        return d.isNegative() ? span + " ago" : "in " + span;
    }

    static String span(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min";
        }
        if (s < 86400) {
            return s / 3600 + " h " + (s % 3600) / 60 + " min";
        }
        return s / 86400 + " d " + (s % 86400) / 3600 + " h";
    }

    public static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** An amount of a quota's metric: "12,000" (requests, tokens) or "$3.25" (cost, given in dollars). */
    public static String amount(QuotaView quota, Number n) {
        if (n == null) {
            return "—";
        }
        if (quota.isCost()) {
            Long micros = Money.micros(n instanceof BigDecimal d ? d : new BigDecimal(n.toString()));
            return micros == null ? n.toString() : Money.format(micros);
        }
        return number(n.longValue());
    }

    /** "1 turn", "2,048 turns". */
    public static String count(long n, String noun) {
        return number(n) + " " + noun + (n == 1 ? "" : "s");
    }
}
