package io.tokenrouter.proxy;

import jakarta.servlet.FilterChain;
import jakarta.servlet.GenericFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * Hands each {@code /v1} request's peer address to {@link RequestTraceFilter} as a request attribute,
 * which JAX-RS filters read as a plain property. Injecting the servlet request into a JAX-RS filter
 * instead goes through a request-scoped proxy resolved on every call. Mapped to {@code /v1/*} in
 * {@code web.xml}.
 */
public class RemoteAddressFilter extends GenericFilter {

    /** The request attribute (and JAX-RS request property) holding the peer's address. */
    static final String ATTRIBUTE = "io.tokenrouter.remoteAddress";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        request.setAttribute(ATTRIBUTE, request.getRemoteAddr());
        chain.doFilter(request, response);
    }
}
