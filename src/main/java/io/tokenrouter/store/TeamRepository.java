package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/** Teams. */
@ApplicationScoped
public class TeamRepository {

    @Inject
    Database database;

    public Optional<Team> find(long id) {
        return database.inTransaction(em -> Optional.ofNullable(em.find(Team.class, id)));
    }

    public Optional<Team> findByName(String name) {
        return database.inTransaction(em -> em.createQuery("select t from Team t where t.name = :name", Team.class)
                .setParameter("name", name).getResultStream().findFirst());
    }

    public Page<Team> findAll(int offset, int limit) {
        return database.inTransaction(em -> new Page<>(
                em.createQuery("select t from Team t order by t.id", Team.class)
                        .setFirstResult(offset).setMaxResults(limit).getResultList(),
                em.createQuery("select count(t) from Team t", Long.class).getSingleResult()));
    }

    public Team store(Team team) {
        return database.inTransaction(em -> {
            Team stored = team.getId() == null ? persist(em, team) : em.merge(team);
            ConfigVersion.bump(em, ConfigVersion.Kind.ACCESS);
            return stored;
        });
    }

    /** Deletes the team and its quotas; refuses (returns false) while keys still belong to it. */
    public boolean delete(long id) {
        return database.inTransaction(em -> {
            Long keys = em.createQuery("select count(k) from ApiKey k where k.teamId = :id", Long.class)
                    .setParameter("id", id).getSingleResult();
            if (keys > 0) {
                return false;
            }
            QuotaRepository.deleteByOwner(em, OwnerType.TEAM, id);
            Team team = em.find(Team.class, id);
            if (team != null) {
                em.remove(team);
            }
            ConfigVersion.bump(em, ConfigVersion.Kind.ACCESS);
            return true;
        });
    }

    private static Team persist(jakarta.persistence.EntityManager em, Team team) {
        em.persist(team);
        return team;
    }

    public List<Team> findAllById(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return database.inTransaction(em -> em.createQuery("select t from Team t where t.id in :ids", Team.class)
                .setParameter("ids", ids).getResultList());
    }
}
