package io.tokenrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.routing.ProviderTarget.Key;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A provider's key pool: cleaned, checked without quoting a key, written and read back. */
class KeyPoolTest {

    @Test
    void keysAreCleanedAndRoundTrip() {
        List<Key> pool = KeyPool.clean("p", List.of(new Key("  sk-one ", 1), new Key("sk-two", 7)));
        assertThat(pool).containsExactly(new Key("sk-one", 1), new Key("sk-two", 7));
        assertThat(KeyPool.read(KeyPool.write(pool))).isEqualTo(pool);
        assertThat(pool.toString()).doesNotContain("sk-one");
    }

    @Test
    void badPoolsAreRefusedNamingTheEntryNeverTheKey() {
        assertThatThrownBy(() -> KeyPool.clean("p", List.of())).hasMessageContaining("1 to 50 keys");
        assertThatThrownBy(() -> KeyPool.clean("p", List.of(new Key("sk-1", 1), new Key("sk 2", 1))))
                .hasMessageContaining("api_key may contain only visible ASCII").hasMessageNotContaining("sk 2");
        assertThatThrownBy(() -> KeyPool.clean("p", List.of(new Key("sk-1", 0)))).hasMessageContaining("api_keys[0] weight");
        assertThatThrownBy(() -> KeyPool.clean("p", List.of(new Key("sk-1", 1), new Key("sk-1", 2))))
                .hasMessageContaining("api_keys[1] repeats").hasMessageNotContaining("sk-1");
        assertThatThrownBy(() -> KeyPool.clean("p", java.util.Collections.nCopies(51, new Key("k", 1))))
                .hasMessageContaining("1 to 50 keys");
    }
}
