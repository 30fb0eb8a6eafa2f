package io.tokenrouter.proxy;

import jakarta.servlet.FilterChain;
import jakarta.servlet.GenericFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/**
 * The servlet side of {@code /v1} (mapped to {@code /v1/*} in {@code web.xml}), for what JAX-RS does
 * dearly or not at all:
 * <ul>
 * <li>Hands each request's peer address to {@link RequestTraceFilter} as a request attribute, which
 * JAX-RS filters read as a plain property. Injecting the servlet request into a JAX-RS filter instead
 * goes through a request-scoped proxy resolved on every call.</li>
 * <li>Sends a streamed answer's head with its first event. Jersey commits a {@code ChunkedOutput}
 * response with a flush of its head alone, and the first event follows in a write of its own; the
 * gateway commits a stream only when its first event is ready, so a flush before any body byte is
 * held back and the head leaves with the first bytes, in one write to the client.</li>
 * </ul>
 */
public class V1ServletFilter extends GenericFilter {

    /** The request attribute (and JAX-RS request property) holding the peer's address. */
    static final String ATTRIBUTE = "io.tokenrouter.remoteAddress";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        request.setAttribute(ATTRIBUTE, request.getRemoteAddr());
        chain.doFilter(request, response instanceof HttpServletResponse http ? new HeadWithFirstBytes(http) : response);
    }

    /** A response whose output stream does not flush before its first body byte. */
    static final class HeadWithFirstBytes extends HttpServletResponseWrapper {
        private ServletOutputStream stream;

        HeadWithFirstBytes(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                stream = new FirstBytesStream(super.getOutputStream());
            }
            return stream;
        }
    }

    static final class FirstBytesStream extends ServletOutputStream {
        private final ServletOutputStream out;
        private boolean written;

        FirstBytesStream(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            written = true;
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written |= len > 0;
            out.write(b, off, len);
        }

        /** Before the first body byte there is only the head to send: it goes with those bytes. */
        @Override
        public void flush() throws IOException {
            if (written) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }
}
