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
 * <li>Sends a buffered answer as soon as its last byte is written. Jersey writes a response whose length
 * it knows and leaves the sending to the container's completion of the asynchronous request, which
 * Tomcat runs on another of its threads; the body is flushed instead once the declared
 * {@code Content-Length} is written, by the client-write thread that wrote it.</li>
 * <li>Leaves the request's thread without the console's Faces state (see {@link #releaseFacesThreadLocal}).</li>
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
        if (request.isAsyncStarted()) {
            releaseFacesThreadLocal();
        }
    }

    /**
     * Mojarra (the console's Faces) puts its {@code ApplicationAssociate} in a thread-local when any request of
     * the application starts and removes it when the request ends. A {@code /v1} request ends on another thread,
     * so the thread it started on would keep it, and Tomcat reports each such thread as a leak when the
     * application stops. Null where the server's Faces is not Mojarra.
     */
    private static final java.lang.invoke.MethodHandle FACES_RELEASE = facesRelease();

    private static java.lang.invoke.MethodHandle facesRelease() {
        try {
            Class<?> associate = Class.forName("com.sun.faces.application.ApplicationAssociate", false,
                    V1ServletFilter.class.getClassLoader());
            return java.lang.invoke.MethodHandles.publicLookup().findStatic(associate, "setCurrentInstance",
                    java.lang.invoke.MethodType.methodType(void.class, associate));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    static void releaseFacesThreadLocal() {
        if (FACES_RELEASE != null) {
            try {
                FACES_RELEASE.invoke((Object) null);
            } catch (Throwable ignored) {
                // nothing was held, or a Mojarra that no longer has it
            }
        }
    }

    /**
     * A response whose output stream does not flush before its first body byte, and flushes when the
     * declared length is written.
     */
    static final class HeadWithFirstBytes extends HttpServletResponseWrapper {
        private FirstBytesStream stream;
        private long declaredLength = -1;

        HeadWithFirstBytes(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                stream = new FirstBytesStream(super.getOutputStream(), this::declaredLength);
            }
            return stream;
        }

        long declaredLength() {
            return declaredLength;
        }

        @Override
        public void setContentLength(int length) {
            super.setContentLength(length);
            declaredLength = length;
        }

        @Override
        public void setContentLengthLong(long length) {
            super.setContentLengthLong(length);
            declaredLength = length;
        }

        @Override
        public void setHeader(String name, String value) {
            super.setHeader(name, value);
            declare(name, value);
        }

        @Override
        public void addHeader(String name, String value) {
            super.addHeader(name, value);
            declare(name, value);
        }

        @Override
        public void setIntHeader(String name, int value) {
            super.setIntHeader(name, value);
            declare(name, Integer.toString(value));
        }

        @Override
        public void addIntHeader(String name, int value) {
            super.addIntHeader(name, value);
            declare(name, Integer.toString(value));
        }

        private void declare(String name, String value) {
            if ("Content-Length".equalsIgnoreCase(name)) {
                try {
                    declaredLength = value == null ? -1 : Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    declaredLength = -1;
                }
            }
        }
    }

    static final class FirstBytesStream extends ServletOutputStream {
        private final ServletOutputStream out;
        /** The response's declared length when the body is complete at that length, else -1. */
        private final java.util.function.LongSupplier declaredLength;
        private long written;

        FirstBytesStream(ServletOutputStream out, java.util.function.LongSupplier declaredLength) {
            this.out = out;
            this.declaredLength = declaredLength;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            wrote(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            wrote(len);
        }

        /** Sends the body once it is as long as declared: nothing more is to come. */
        private void wrote(int n) throws IOException {
            if (n > 0) {
                written += n;
                if (written == declaredLength.getAsLong()) {
                    out.flush();
                }
            }
        }

        /** Before the first body byte there is only the head to send: it goes with those bytes. */
        @Override
        public void flush() throws IOException {
            if (written > 0) {
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
