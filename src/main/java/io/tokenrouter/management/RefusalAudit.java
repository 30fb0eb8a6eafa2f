package io.tokenrouter.management;

import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/** Records in the audit trail each management call refused to the role of the key that made it (403). */
@Provider
public class RefusalAudit implements ContainerResponseFilter {

    @Inject
    AuditTrail audit;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Caller caller = Guard.caller(request);
        if (response.getStatus() == 403 && caller != null) {
            audit.refused(caller, request.getMethod() + " /api/" + request.getUriInfo().getPath());
        }
    }
}
