package io.tokenrouter.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.el.ELContext;
import jakarta.el.ELResolver;
import jakarta.el.FunctionMapper;
import jakarta.el.PropertyNotWritableException;
import jakarta.el.VariableMapper;
import org.junit.jupiter.api.Test;

class RecordResolverTest {

    record Point(int x, String label) {
    }

    static final class Context extends ELContext {
        @Override
        public ELResolver getELResolver() {
            return null;
        }

        @Override
        public FunctionMapper getFunctionMapper() {
            return null;
        }

        @Override
        public VariableMapper getVariableMapper() {
            return null;
        }
    }

    private final RecordResolver resolver = new RecordResolver();

    @Test
    void readsComponentsOfRecordsOnly() {
        Context context = new Context();
        assertThat(resolver.getValue(context, new Point(3, "a"), "x")).isEqualTo(3);
        assertThat(context.isPropertyResolved()).isTrue();

        Context other = new Context();
        assertThat(resolver.getValue(other, new Point(3, "a"), "missing")).isNull();
        assertThat(resolver.getValue(other, "not a record", "length")).isNull();
        assertThat(resolver.getValue(other, null, "x")).isNull();
        assertThat(other.isPropertyResolved()).isFalse();
    }

    @Test
    void recordsAreReadOnly() {
        Context context = new Context();
        assertThat(resolver.isReadOnly(context, new Point(1, "b"), "label")).isTrue();
        assertThatThrownBy(() -> resolver.setValue(new Context(), new Point(1, "b"), "label", "c"))
                .isInstanceOf(PropertyNotWritableException.class);
    }
}
