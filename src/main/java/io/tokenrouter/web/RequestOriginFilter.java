package io.tokenrouter.web;

import io.tokenrouter.access.RequestOrigin;
import io.tokenrouter.runtime.ClientAddresses;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Names the client of each console and management request (its address, or what trusted proxies say of it) for
 * the audit trail, for as long as the request's thread serves it. Mapped in {@code web.xml}, ahead of the console's
 * filter.
 */
public class RequestOriginFilter extends HttpFilter {

    @Inject
    ClientAddresses addresses;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        RequestOrigin.set(addresses.resolve(request));
        try {
            chain.doFilter(request, response);
        } finally {
            RequestOrigin.clear();
        }
    }
}
