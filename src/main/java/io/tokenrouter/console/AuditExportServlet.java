package io.tokenrouter.console;

import io.tokenrouter.access.AuditService;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The console's download of the whole audit trail as JSON Lines, as {@code GET /api/audit} answers it, for the
 * signed-in admin ({@link ConsoleFilter} lets only admins reach it).
 */
@WebServlet(urlPatterns = "/admin/audit.jsonl")
public class AuditExportServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Caller caller = (Caller) request.getAttribute(Caller.PROPERTY);
        AuditService.Export entries;
        try {
            entries = CDI.current().select(AuditService.class).get().export(caller, null, null);
        } catch (GatewayException refused) {
            response.sendError(refused.status());
            return;
        }
        response.setContentType("application/x-ndjson");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"tokenrouter-audit-"
                + LocalDate.now(ZoneOffset.UTC) + ".jsonl\"");
        entries.writeTo(response.getOutputStream());
    }
}
