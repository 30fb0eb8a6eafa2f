package io.tokenrouter.management;

import io.tokenrouter.access.Authorization;
import io.tokenrouter.store.PersonRepository.Person;
import io.tokenrouter.sso.PersonDirectory;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The people who sign in through single sign-on, for admins: {@code GET /api/people}, and
 * {@code POST /api/people/{id}/disable} or {@code /enable}. A disabled person's sessions end and they cannot sign
 * in until enabled again; keys they created are left as they are.
 */
@Tag(name = "People", description = "People who sign in through single sign-on; disabling and enabling them.")
@Path("people")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class PeopleResource {

    @Inject
    PersonDirectory people;

    @GET
    public List<Person> list(@Context ContainerRequestContext request) {
        Authorization.requireAdmin(Guard.caller(request));
        return people.list();
    }

    @POST
    @Path("{id}/disable")
    public Person disable(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return people.setDisabled(Guard.caller(request), id, true);
    }

    @POST
    @Path("{id}/enable")
    public Person enable(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return people.setDisabled(Guard.caller(request), id, false);
    }
}
