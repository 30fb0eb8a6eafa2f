package io.tokenrouter.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client address behind reverse proxies: forwarding headers count only when the socket's peer is a
 * trusted proxy, and then the rightmost hop nobody trusted wins.
 */
class ClientAddressesTest {

    private static final List<String> PROXIES = List.of("10.0.0.5", "192.168.0.0/16", "::1", "fd00::/8");
    private static final ClientAddresses TRUSTING = new ClientAddresses(PROXIES, ClientAddresses.Header.X_FORWARDED_FOR);
    private static final ClientAddresses TRUSTING_FORWARDED = new ClientAddresses(PROXIES, ClientAddresses.Header.FORWARDED);

    static Stream<Arguments> untrustedPeers() {
        return Stream.of(
                Arguments.of("X-Forwarded-For from the internet", "203.0.113.9", "198.51.100.1", null),
                Arguments.of("Forwarded from the internet", "203.0.113.9", null, "for=198.51.100.1"),
                Arguments.of("both headers", "203.0.113.9", "198.51.100.1, 10.0.0.5", "for=198.51.100.2"),
                Arguments.of("a neighbour of a trusted address", "10.0.0.6", "198.51.100.1", null),
                Arguments.of("just outside a trusted range", "192.169.0.1", "198.51.100.1", null),
                Arguments.of("garbage X-Forwarded-For", "203.0.113.9", "<script>alert(1)</script>, unknown", null),
                Arguments.of("garbage Forwarded", "203.0.113.9", null, "for=\"'; drop table request_log; --\""),
                Arguments.of("an IPv6 peer", "2001:db8::7", "198.51.100.1", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("untrustedPeers")
    void anUntrustedPeerIsTheClientWhateverItsHeadersSay(String name, String peer, String xff, String forwarded) {
        assertThat(TRUSTING.resolve(peer, xff, forwarded)).isEqualTo(peer);
        assertThat(TRUSTING_FORWARDED.resolve(peer, xff, forwarded)).isEqualTo(peer);
    }

    static Stream<Arguments> trustedPeers() {
        return Stream.of(
                Arguments.of("exact trusted address, one hop", "10.0.0.5", "198.51.100.1", null, "198.51.100.1"),
                Arguments.of("rightmost untrusted hop wins over a spoofed left one", "10.0.0.5",
                        "1.2.3.4, 198.51.100.1", null, "198.51.100.1"),
                Arguments.of("trusted hops on the right are skipped", "192.168.1.20",
                        "1.2.3.4, 198.51.100.1, 192.168.3.3, 10.0.0.5", null, "198.51.100.1"),
                Arguments.of("CIDR range", "192.168.200.1", "198.51.100.1", null, "198.51.100.1"),
                Arguments.of("IPv6 loopback", "::1", "198.51.100.1", null, "198.51.100.1"),
                Arguments.of("IPv6 loopback as Tomcat writes it", "0:0:0:0:0:0:0:1", "198.51.100.1", null, "198.51.100.1"),
                Arguments.of("IPv6 range", "fd12:3456::1", "2001:db8::42", null, "2001:db8::42"),
                Arguments.of("every hop trusted: the leftmost", "10.0.0.5", "192.168.1.1, 10.0.0.5, ::1", null,
                        "192.168.1.1"),
                Arguments.of("no header: the peer", "10.0.0.5", null, null, "10.0.0.5"),
                Arguments.of("blank header: the peer", "10.0.0.5", " , ", null, "10.0.0.5"),
                Arguments.of("a Forwarded header the proxy did not write is ignored", "10.0.0.5", "198.51.100.1",
                        "for=1.2.3.4", "198.51.100.1"),
                Arguments.of("only a client-written Forwarded header: the peer", "10.0.0.5", null, "for=1.2.3.4",
                        "10.0.0.5"));
    }

    static Stream<Arguments> trustedForwardedPeers() {
        return Stream.of(
                Arguments.of("Forwarded for= parameters", "10.0.0.5", null,
                        "for=1.2.3.4;proto=https, For=198.51.100.1;by=10.0.0.5;host=gw.example", "198.51.100.1"),
                Arguments.of("an X-Forwarded-For the proxy did not write is ignored", "10.0.0.5", "1.2.3.4",
                        "for=198.51.100.1", "198.51.100.1"),
                Arguments.of("only a client-written X-Forwarded-For: the peer", "10.0.0.5", "1.2.3.4", null, "10.0.0.5"),
                Arguments.of("Forwarded with a trusted last hop", "10.0.0.5", null,
                        "for=198.51.100.1, for=\"[::1]:8080\"", "198.51.100.1"));
    }

    /** Issue 8 item 10: the trusted proxies' own header is the only one believed. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trustedForwardedPeers")
    void withForwardedConfiguredOnlyThatHeaderCounts(String name, String peer, String xff, String forwarded,
                                                     String expected) {
        assertThat(TRUSTING_FORWARDED.resolve(peer, xff, forwarded)).isEqualTo(expected);
    }

    @Test
    void theTrustedHeaderSettingIsValidated() {
        assertThat(ClientAddresses.Header.parse("x-forwarded-for")).isEqualTo(ClientAddresses.Header.X_FORWARDED_FOR);
        assertThat(ClientAddresses.Header.parse("Forwarded")).isEqualTo(ClientAddresses.Header.FORWARDED);
        assertThatThrownBy(() -> ClientAddresses.Header.parse("X-Real-IP"))
                .hasMessageContaining("trusted_proxy_header");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trustedPeers")
    void aTrustedPeerPassesOnTheRightmostUntrustedHop(String name, String peer, String xff, String forwarded,
                                                      String expected) {
        assertThat(TRUSTING.resolve(peer, xff, forwarded)).isEqualTo(expected);
    }

    @Test
    void aTrustedForwardedHopWithPortAndBracketsIsRecognized() {
        // the quoted IPv6 hop with a port is a trusted proxy, so the hop before it is the client
        assertThat(TRUSTING_FORWARDED.resolve("10.0.0.5", null, "for=198.51.100.1, for=\"[fd00::17]:4711\""))
                .isEqualTo("198.51.100.1");
        assertThat(TRUSTING.resolve("10.0.0.5", "198.51.100.1, 192.168.1.1:8080", null)).isEqualTo("198.51.100.1");
    }

    @Test
    void aQuotedIpv6ForwardedHopWithPortBecomesItsBareAddress() {
        assertThat(TRUSTING_FORWARDED.resolve("10.0.0.5", null, "for=192.0.2.60;proto=http, for=\"[2001:db8::1]:4711\""))
                .isEqualTo("2001:db8::1");
    }

    @Test
    void anIpv4HopWithPortBecomesItsBareAddress() {
        assertThat(TRUSTING.resolve("10.0.0.5", "203.0.113.7:41234", null)).isEqualTo("203.0.113.7");
    }

    @Test
    void recognisesLiteralAddressesWithoutNameLookups() {
        assertThat(io.tokenrouter.config.AddressRanges.parse("198.51.100.1")).containsExactly(198, 51, 100, 1);
        assertThat(io.tokenrouter.config.AddressRanges.parse("[2001:db8::1]:443")).hasSize(16);
        assertThat(io.tokenrouter.config.AddressRanges.parse("198.51.100.1:8080")).containsExactly(198, 51, 100, 1);
        assertThat(io.tokenrouter.config.AddressRanges.parse("localhost")).isNull();
        assertThat(io.tokenrouter.config.AddressRanges.parse("example.com")).isNull();
        assertThat(io.tokenrouter.config.AddressRanges.parse("1.2.3")).isNull();
        assertThat(io.tokenrouter.config.AddressRanges.parse("unknown")).isNull();
        assertThat(io.tokenrouter.config.AddressRanges.parse(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy.internal", "1.2.3", "2001:db8::zz", "10.0.0.300", ""})
    void anInvalidTrustedProxiesEntryIsRefusedByName(String entry) {
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.5", entry), ClientAddresses.Header.X_FORWARDED_FOR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted_proxies entry '" + entry + "' is not an IP address or CIDR range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/abc", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/"})
    void anInvalidPrefixLengthIsRefusedByName(String entry) {
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.5", entry), ClientAddresses.Header.X_FORWARDED_FOR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trusted_proxies entry '" + entry + "'");
    }

    @Test
    void aZeroPrefixTrustsEveryAddressOfItsFamilyOnly() {
        ClientAddresses everyIpv4 = new ClientAddresses(List.of("0.0.0.0/0"), ClientAddresses.Header.X_FORWARDED_FOR);

        assertThat(everyIpv4.isTrusted("203.0.113.9")).isTrue();
        assertThat(everyIpv4.isTrusted("2001:db8::1")).isFalse();
        assertThat(everyIpv4.resolve("203.0.113.9", "198.51.100.1", null)).isEqualTo("198.51.100.1");
    }

    /** Admins change trusted_proxies at run time: the resolver follows the current list. */
    @Test
    void followsTheCurrentListOfTrustedProxies() {
        java.util.concurrent.atomic.AtomicReference<List<String>> current = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        ClientAddresses addresses = new ClientAddresses(current::get, ClientAddresses.Header.X_FORWARDED_FOR);
        assertThat(addresses.resolve("10.1.2.3", "203.0.113.7", null)).isEqualTo("10.1.2.3");
        current.set(List.of("10.0.0.0/8"));
        assertThat(addresses.resolve("10.1.2.3", "203.0.113.7", null)).isEqualTo("203.0.113.7");
        current.set(List.of());
        assertThat(addresses.isTrusted("10.1.2.3")).isFalse();
    }
}
