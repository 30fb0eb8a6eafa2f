package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Model prices per million tokens (in millionths of a dollar), global or for one provider: input, output,
 * cached input read and written, and reasoning tokens (the last two default to input and output). Each
 * row says where it comes from: the gateway's shipped price table, or an administrator (whose prices the
 * shipped table never replaces).
 */
@ApplicationScoped
public class PriceRepository {

    public static final String SHIPPED = "shipped";
    public static final String ADMIN = "admin";

    /** A price row; provider "" means every provider. */
    public record Price(String provider, String model, long inputMicros, long outputMicros, long cachedInputMicros,
                        long cacheWriteMicros, long reasoningMicros, String source) {

        /** A price set by an administrator. */
        public Price(String provider, String model, long inputMicros, long outputMicros, long cachedInputMicros,
                     long cacheWriteMicros, long reasoningMicros) {
            this(provider, model, inputMicros, outputMicros, cachedInputMicros, cacheWriteMicros, reasoningMicros, ADMIN);
        }

        /** A price whose cache writes cost the input price and whose reasoning costs the output price. */
        public Price(String provider, String model, long inputMicros, long outputMicros, long cachedInputMicros) {
            this(provider, model, inputMicros, outputMicros, cachedInputMicros, inputMicros, outputMicros);
        }

        /** Whether the amounts are the same as {@code other}'s. */
        boolean samePrices(Price other) {
            return inputMicros == other.inputMicros && outputMicros == other.outputMicros
                    && cachedInputMicros == other.cachedInputMicros && cacheWriteMicros == other.cacheWriteMicros
                    && reasoningMicros == other.reasoningMicros;
        }
    }

    @Inject
    Database database;

    public List<Price> findAll() {
        return database.inTransaction(em -> {
            List<Price> result = new ArrayList<>();
            for (Object row : em.createNativeQuery("select provider, model, input_micros, output_micros,"
                    + " cached_input_micros, cache_write_micros, reasoning_micros, source from model_prices"
                    + " order by provider, model").getResultList()) {
                Object[] r = (Object[]) row;
                long input = ((Number) r[2]).longValue();
                long output = ((Number) r[3]).longValue();
                result.add(new Price((String) r[0], (String) r[1], input, output, ((Number) r[4]).longValue(),
                        r[5] == null ? input : ((Number) r[5]).longValue(), r[6] == null ? output : ((Number) r[6]).longValue(),
                        (String) r[7]));
            }
            return result;
        });
    }

    /** Sets (or replaces) one price and bumps the configuration version. */
    public void store(Price price) {
        database.run(em -> {
            replace(em, price);
            ConfigVersion.bump(em, ConfigVersion.Kind.PRICES);
        });
    }

    /**
     * Stores the shipped price table in one transaction: each price whose row is missing or still the shipped
     * one (with other amounts); rows an administrator set are kept. The number of rows written.
     */
    public int storeShipped(List<Price> shipped) {
        return database.inTransaction(em -> {
            Map<String, Price> current = new HashMap<>();
            for (Price p : findAll()) {
                current.put(p.provider() + "/" + p.model(), p);
            }
            int written = 0;
            for (Price price : shipped) {
                Price now = current.get(price.provider() + "/" + price.model());
                if (now == null || (SHIPPED.equals(now.source()) && !now.samePrices(price))) {
                    replace(em, price);
                    written++;
                }
            }
            if (written > 0) {
                ConfigVersion.bump(em, ConfigVersion.Kind.PRICES);
            }
            return written;
        });
    }

    private static void replace(EntityManager em, Price price) {
        em.createNativeQuery("delete from model_prices where provider = ?1 and model = ?2")
                .setParameter(1, price.provider()).setParameter(2, price.model()).executeUpdate();
        em.createNativeQuery("insert into model_prices (provider, model, input_micros, output_micros,"
                        + " cached_input_micros, cache_write_micros, reasoning_micros, source)"
                        + " values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .setParameter(1, price.provider()).setParameter(2, price.model())
                .setParameter(3, price.inputMicros()).setParameter(4, price.outputMicros())
                .setParameter(5, price.cachedInputMicros()).setParameter(6, price.cacheWriteMicros())
                .setParameter(7, price.reasoningMicros()).setParameter(8, price.source()).executeUpdate();
    }

    public int delete(String provider, String model) {
        return database.inTransaction(em -> {
            int n = em.createNativeQuery("delete from model_prices where provider = ?1 and model = ?2")
                    .setParameter(1, provider).setParameter(2, model).executeUpdate();
            ConfigVersion.bump(em, ConfigVersion.Kind.PRICES);
            return n;
        });
    }
}
