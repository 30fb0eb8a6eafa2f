package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stream's head leaves with its first body bytes: a flush before any of them is held back, none after. */
class V1ServletFilterTest {

    /** What the container's stream saw: the bytes, and the calls in order. */
    static final class Recording extends ServletOutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> calls = new ArrayList<>();

        @Override
        public void write(int b) {
            bytes.write(b);
            calls.add("write");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            calls.add("write " + len);
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public void close() {
            calls.add("close");
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            calls.add("listener");
        }
    }

    @Test
    void aFlushBeforeTheFirstByteIsHeldBackAndEveryLaterOneGoesThrough() throws Exception {
        Recording container = new Recording();
        ServletOutputStream out = new V1ServletFilter.FirstBytesStream(container, () -> -1);

        out.flush(); // Jersey committing a ChunkedOutput: the head alone
        out.write(new byte[0], 0, 0);
        out.flush();
        assertThat(container.calls).as("an empty write passes, the flushes do not").containsExactly("write 0");

        byte[] event = "data: {}\n\n".getBytes(StandardCharsets.UTF_8);
        out.write(event, 0, event.length);
        out.flush();
        out.write('x');
        out.flush();
        out.close();

        assertThat(container.calls).containsExactly("write 0", "write 10", "flush", "write", "flush", "close");
        assertThat(container.bytes.toString(StandardCharsets.UTF_8)).isEqualTo("data: {}\n\nx");
    }

    @Test
    void aBodyOfTheDeclaredLengthIsSentAsItsLastByteIsWritten() throws Exception {
        Recording container = new Recording();
        long[] declared = {-1};
        ServletOutputStream out = new V1ServletFilter.FirstBytesStream(container, () -> declared[0]);
        declared[0] = 12;

        out.write("{\"id\":".getBytes(StandardCharsets.UTF_8), 0, 6);
        assertThat(container.calls).containsExactly("write 6");
        out.write("\"a\"}".getBytes(StandardCharsets.UTF_8), 0, 4);
        out.write('\n');
        assertThat(container.calls).as("11 of 12 bytes: not yet").containsExactly("write 6", "write 4", "write");
        out.write(' ');
        assertThat(container.calls).containsExactly("write 6", "write 4", "write", "write", "flush");
    }

    @Test
    void theWrapperTakesTheDeclaredLengthFromEveryWayOfSettingIt() throws Exception {
        Recording container = new Recording();
        jakarta.servlet.http.HttpServletResponse response = (jakarta.servlet.http.HttpServletResponse) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {jakarta.servlet.http.HttpServletResponse.class},
                        (proxy, method, args) -> method.getName().equals("getOutputStream") ? container : null);
        V1ServletFilter.HeadWithFirstBytes wrapped = new V1ServletFilter.HeadWithFirstBytes(response);

        assertThat(wrapped.declaredLength()).isEqualTo(-1);
        wrapped.setContentLength(5);
        assertThat(wrapped.declaredLength()).isEqualTo(5);
        wrapped.setContentLengthLong(7);
        assertThat(wrapped.declaredLength()).isEqualTo(7);
        wrapped.setHeader("content-length", " 9 ");
        assertThat(wrapped.declaredLength()).isEqualTo(9);
        wrapped.addIntHeader("Content-Length", 3);
        assertThat(wrapped.declaredLength()).isEqualTo(3);
        wrapped.addHeader("Content-Type", "application/json");
        assertThat(wrapped.declaredLength()).isEqualTo(3);
        wrapped.setHeader("Content-Length", "many");
        assertThat(wrapped.declaredLength()).isEqualTo(-1);

        wrapped.setIntHeader("Content-Length", 2);
        ServletOutputStream out = wrapped.getOutputStream();
        assertThat(wrapped.getOutputStream()).isSameAs(out);
        out.write('o');
        out.write('k');
        assertThat(container.calls).containsExactly("write", "write", "flush");
    }

    @Test
    void aResponseClosedWithoutABodyIsClosedAndNonBlockingWritesPassThrough() throws Exception {
        Recording container = new Recording();
        ServletOutputStream out = new V1ServletFilter.FirstBytesStream(container, () -> -1);

        out.setWriteListener(null);
        out.flush();
        out.close();

        assertThat(out.isReady()).isTrue();
        assertThat(container.calls).containsExactly("listener", "close");
    }
}
