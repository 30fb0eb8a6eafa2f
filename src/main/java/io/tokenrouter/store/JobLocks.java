package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Cluster-wide leases for scheduled jobs: a node runs a job only if it took the job's row, which a
 * conditional update grants to one node at a time until the lease runs out.
 */
@ApplicationScoped
public class JobLocks {

    @Inject
    Database database;
    /** What time it is; a lease runs out by it (tests move it). */
    Clock clock = Clock.systemUTC();

    public boolean tryAcquire(String job, String owner, Duration lease) {
        Instant now = clock.instant();
        return database.inTransaction(em -> em.createNativeQuery(
                        "update job_locks set owner = ?1, locked_until = ?2 where name = ?3 and locked_until < ?4")
                .setParameter(1, owner).setParameter(2, now.plus(lease)).setParameter(3, job).setParameter(4, now)
                .executeUpdate() == 1);
    }

    /** Gives a lease back before it runs out, so that any node may take the job's next run at once. */
    public void release(String job, String owner) {
        Instant now = clock.instant();
        database.run(em -> em.createNativeQuery(
                        "update job_locks set locked_until = ?1 where name = ?2 and owner = ?3 and locked_until > ?1")
                .setParameter(1, now.minusMillis(1)).setParameter(2, job).setParameter(3, owner).executeUpdate());
    }

    /**
     * Runs {@code work} in one transaction while holding the row lock of {@code name} (a row of job_locks), so
     * that across the cluster only one node runs it at a time; the others wait for the lock, then see its rows.
     */
    public void exclusively(String name, Runnable work) {
        database.run(em -> {
            if (em.createNativeQuery("select name from job_locks where name = ?1 for update").setParameter(1, name)
                    .getResultList().isEmpty()) {
                throw new IllegalStateException("No lock row '" + name + "' in job_locks");
            }
            work.run();
        });
    }
}
