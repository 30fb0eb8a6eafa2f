package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The latest limits each provider reported about itself. */
@ApplicationScoped
public class ProviderQuotaRepository {

    /** One provider's figures; any may be unknown (null). */
    public record ProviderQuota(String provider, Long limitRequests, Long remainingRequests, String resetRequests,
                                Long limitTokens, Long remainingTokens, String resetTokens, Double creditLimit,
                                Double creditRemaining, boolean low, Instant updatedAt) {
        public ProviderQuota withLow(boolean isLow) {
            return new ProviderQuota(provider, limitRequests, remainingRequests, resetRequests, limitTokens,
                    remainingTokens, resetTokens, creditLimit, creditRemaining, isLow, updatedAt);
        }
    }

    @Inject
    Database database;

    public void store(ProviderQuota q) {
        database.run(em -> {
            em.createNativeQuery("delete from provider_quotas where provider = ?1").setParameter(1, q.provider())
                    .executeUpdate();
            em.createNativeQuery("insert into provider_quotas (provider, limit_requests, remaining_requests,"
                            + " reset_requests, limit_tokens, remaining_tokens, reset_tokens, credit_limit, credit_remaining,"
                            + " low, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                    .setParameter(1, q.provider()).setParameter(2, q.limitRequests()).setParameter(3, q.remainingRequests())
                    .setParameter(4, q.resetRequests()).setParameter(5, q.limitTokens())
                    .setParameter(6, q.remainingTokens()).setParameter(7, q.resetTokens())
                    .setParameter(8, q.creditLimit()).setParameter(9, q.creditRemaining())
                    .setParameter(10, q.low()).setParameter(11, q.updatedAt()).executeUpdate();
        });
    }

    public List<ProviderQuota> findAll() {
        return database.inTransaction(em -> {
            List<ProviderQuota> result = new ArrayList<>();
            for (Object row : em.createNativeQuery("select provider, limit_requests, remaining_requests, reset_requests,"
                    + " limit_tokens, remaining_tokens, reset_tokens, credit_limit, credit_remaining, low, updated_at"
                    + " from provider_quotas order by provider").getResultList()) {
                Object[] r = (Object[]) row;
                result.add(new ProviderQuota((String) r[0], toLong(r[1]), toLong(r[2]), (String) r[3], toLong(r[4]),
                        toLong(r[5]), (String) r[6], toDouble(r[7]), toDouble(r[8]), (Boolean) r[9],
                        EventRepository.toInstant(r[10])));
            }
            return result;
        });
    }

    private static Long toLong(Object v) {
        return v == null ? null : ((Number) v).longValue();
    }

    private static Double toDouble(Object v) {
        return v == null ? null : ((Number) v).doubleValue();
    }
}
