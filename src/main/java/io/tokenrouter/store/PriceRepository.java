package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** Model prices per million tokens (in millionths of a dollar), global or for one provider. */
@ApplicationScoped
public class PriceRepository {

    /** A price row; provider "" means every provider. */
    public record Price(String provider, String model, long inputMicros, long outputMicros, long cachedInputMicros) {
    }

    @Inject
    Database database;

    public List<Price> findAll() {
        return database.inTransaction(em -> {
            List<Price> result = new ArrayList<>();
            for (Object row : em.createNativeQuery("select provider, model, input_micros, output_micros,"
                    + " cached_input_micros from model_prices order by provider, model").getResultList()) {
                Object[] r = (Object[]) row;
                result.add(new Price((String) r[0], (String) r[1], ((Number) r[2]).longValue(),
                        ((Number) r[3]).longValue(), ((Number) r[4]).longValue()));
            }
            return result;
        });
    }

    /** Sets (or replaces) one price and bumps the configuration version. */
    public void store(Price price) {
        database.run(em -> {
            em.createNativeQuery("delete from model_prices where provider = ?1 and model = ?2")
                    .setParameter(1, price.provider()).setParameter(2, price.model()).executeUpdate();
            em.createNativeQuery("insert into model_prices (provider, model, input_micros, output_micros,"
                            + " cached_input_micros) values (?1, ?2, ?3, ?4, ?5)")
                    .setParameter(1, price.provider()).setParameter(2, price.model())
                    .setParameter(3, price.inputMicros()).setParameter(4, price.outputMicros())
                    .setParameter(5, price.cachedInputMicros()).executeUpdate();
            ConfigVersion.bump(em, ConfigVersion.Kind.PRICES);
        });
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
