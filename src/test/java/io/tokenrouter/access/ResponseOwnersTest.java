package io.tokenrouter.access;

import io.tokenrouter.store.Role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.ResponseOwnerRepository;
import io.tokenrouter.store.TestDatabases;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 24, item 5: a {@code previous_response_id} continues only a response the gateway answered for the
 * caller's own team (or own key, without a team), on every node (the owners are in the database), on H2
 * and PostgreSQL.
 */
class ResponseOwnersTest {

    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    private static ResponseOwners node(Database database) {
        ResponseOwners owners = new ResponseOwners();
        owners.repository = TestDatabases.responseOwners(database);
        owners.scheduler = new Scheduler() {
            @Override
            public boolean later(String name, Runnable task) {
                task.run();
                return true;
            }
        };
        return owners;
    }

    private static Caller caller(long keyId, Long teamId) {
        return new Caller(keyId, "key" + keyId, Role.INFERRER, teamId, teamId == null ? null : "team" + teamId, null, null,
                List.of(keyId), Map.of(keyId, "key" + keyId), List.of(), false, java.util.Set.of());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aContinuationOfAnotherTeamsResponseIsRefusedOnEveryNode(Supplier<Database> factory) {
        Database database = factory.get();
        String id = "resp_" + System.nanoTime();
        node(database).remember("openai", id, 1L, 10L);
        ResponseOwners otherNode = node(database);

        otherNode.checkContinuation(caller(1, 10L), List.of("openai"), "previous_response_id", id);
        otherNode.checkContinuation(caller(2, 10L), List.of("openai"), "previous_response_id", id);
        assertThatThrownBy(() -> otherNode.checkContinuation(caller(3, 20L), List.of("openai"), "previous_response_id", id))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("previous_response_not_found");
                    assertThat(e.param()).isEqualTo("previous_response_id");
                });
        assertThatThrownBy(() -> otherNode.checkContinuation(caller(4, null), List.of("azure", "openai"), "conversation", id))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param()).isEqualTo("conversation"));
        otherNode.checkContinuation(caller(3, 20L), List.of("azure"), "previous_response_id", id);
        otherNode.checkContinuation(caller(3, 20L), List.of("openai"), "previous_response_id", "resp_never_seen");
        otherNode.checkContinuation(caller(3, 20L), List.of("openai"), "previous_response_id", null);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aKeyWithoutATeamOwnsItsResponsesAloneAndTheFirstOwnerStays(Supplier<Database> factory) {
        Database database = factory.get();
        String id = "resp_" + System.nanoTime();
        ResponseOwnerRepository repository = TestDatabases.responseOwners(database);
        repository.store(List.of(new ResponseOwnerRepository.Owner("local", id, 7L, null, Instant.now())));
        repository.store(List.of(new ResponseOwnerRepository.Owner("local", id, 8L, 30L, Instant.now()),
                new ResponseOwnerRepository.Owner("local", id, 9L, 30L, Instant.now())));
        ResponseOwners owners = node(database);

        owners.checkContinuation(caller(7, null), List.of("local"), "previous_response_id", id);
        assertThatThrownBy(() -> owners.checkContinuation(caller(8, 30L), List.of("local"), "previous_response_id", id))
                .isInstanceOf(GatewayException.class);
        assertThat(repository.find("local", id)).get().extracting(ResponseOwnerRepository.Owner::keyId).isEqualTo(7L);
        assertThat(repository.deleteOlderThan(Instant.now().plusSeconds(1))).isGreaterThanOrEqualTo(1);
        assertThat(repository.find("local", id)).isEmpty();
    }
}
